using System.Text.Json.Nodes;
using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests;

/// <summary>
/// `bw send` against the real server (<c>bitwarden-sharing-features.md</c> §3.10): the owner creates, lists, edits and
/// deletes Sends; a second bw profile that is only pointed at the server (`bw config server`, never logged in) receives
/// them through the send_access grant, as someone without an account would.
/// </summary>
public sealed class BwSendTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task BwSendText_WithAndWithoutPassword_IsReceivedByAProfileThatIsNotLoggedIn()
    {
        var bw = await fixture.RegisterAndLoginBwAsync(TestAccount.CreateUnique());
        var open = await bw.JsonAsync("bw send (text)", "send", "--fullObject", "-n", "Wi-Fi", "--notes", "for the guest", "Guest network: c0ffee-42");
        var locked = await bw.JsonAsync("bw send --password (text)", "send", "--fullObject", "-n", "Door", "--password", "s3cret", "Door code 1234");
        var recipient = await RecipientAsync();

        var openText = await recipient.OkAsync("bw send receive (open)", "send", "receive", open.Text("accessUrl")!);
        var withoutPassword = await recipient.FailsAsync("bw send receive (no password)", "send", "receive", locked.Text("accessUrl")!);
        var wrongPassword = await recipient.FailsAsync("bw send receive (wrong password)", "send", "receive", locked.Text("accessUrl")!, "--password", "wrong");
        var lockedText = await recipient.OkAsync("bw send receive --password", "send", "receive", locked.Text("accessUrl")!, "--password", "s3cret");
        var listed = (await bw.JsonAsync("bw send list", "send", "list")).Items();

        Assert.StartsWith($"{fixture.Server.Url}/#/send/", open.Text("accessUrl"), StringComparison.Ordinal);
        Assert.Equal("Guest network: c0ffee-42", openText.Trim());
        Assert.Contains("Password required", Printed(withoutPassword), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Invalid password", Printed(wrongPassword), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Door code 1234", lockedText.Trim());
        Assert.Equal(["Door", "Wi-Fi"], listed.Select(s => s.Text("name")).Order(StringComparer.Ordinal));
        await bw.OkAsync("bw sync --force", "sync", "--force");
        var synced = (await bw.JsonAsync("bw send list (after sync)", "send", "list")).Items();
        Assert.Equal("1", synced.Single(s => s.Text("name") == "Wi-Fi").Text("accessCount"));
        Assert.Equal("1", synced.Single(s => s.Text("name") == "Door").Text("accessCount"));
        Assert.Equal("True", synced.Single(s => s.Text("name") == "Door").Text("passwordSet"), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task BwSendFile_IsReceivedWithTheSameBytes()
    {
        var bw = await fixture.RegisterAndLoginBwAsync(TestAccount.CreateUnique());
        var folder = fixture.NewScratchFolder();
        var source = Path.Combine(folder, "recovery-codes.txt");
        var content = string.Join('\n', Enumerable.Range(0, 200).Select(i => $"code {i:D3}: {Guid.NewGuid():N}"));
        await File.WriteAllTextAsync(source, content);
        var send = await bw.JsonAsync("bw send -f", "send", "--fullObject", "-f", source);
        var recipient = await RecipientAsync();
        var target = Path.Combine(folder, "received.txt");

        await recipient.OkAsync("bw send receive --output", "send", "receive", send.Text("accessUrl")!, "--output", target);

        Assert.Equal("recovery-codes.txt", send.Text("name"));
        Assert.Equal(await File.ReadAllBytesAsync(source), await File.ReadAllBytesAsync(target));
        await bw.OkAsync("bw send delete", "send", "delete", send.Id());
        await bw.OkAsync("bw sync --force", "sync", "--force");
        Assert.Empty((await bw.JsonAsync("bw send list (after delete)", "send", "list")).Items());
        var gone = await (await RecipientAsync()).FailsAsync("bw send receive (deleted)", "send", "receive", send.Text("accessUrl")!);
        Assert.Contains("Not found", Printed(gone), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task BwSend_WithMaxAccessCountOne_CanBeReceivedOnce()
    {
        var bw = await fixture.RegisterAndLoginBwAsync(TestAccount.CreateUnique());
        var send = await bw.JsonAsync("bw send -a 1", "send", "--fullObject", "-a", "1", "Only once");

        var first = await (await RecipientAsync()).OkAsync("bw send receive (first)", "send", "receive", send.Text("accessUrl")!);
        var second = await (await RecipientAsync()).FailsAsync("bw send receive (second)", "send", "receive", send.Text("accessUrl")!);

        Assert.Equal("Only once", first.Trim());
        Assert.Contains("Not found", Printed(second), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task BwSendEdit_WithoutThePassword_KeepsIt_AndRemovePasswordOpensIt()
    {
        var bw = await fixture.RegisterAndLoginBwAsync(TestAccount.CreateUnique());
        var send = await bw.JsonAsync("bw send --password", "send", "--fullObject", "-n", "Before", "--password", "s3cret", "Kept secret");
        var stored = JsonNode.Parse((await bw.JsonAsync("bw send get", "send", "get", send.Id())).GetRawText())!.AsObject();
        stored["name"] = "After";
        stored["maxAccessCount"] = 5;

        var edited = await bw.JsonAsync("bw send edit", "send", "edit", BwClient.Encode(stored));
        var withoutPassword = await (await RecipientAsync()).FailsAsync("bw send receive (after edit, no password)", "send", "receive", send.Text("accessUrl")!);
        var withPassword = await (await RecipientAsync()).OkAsync("bw send receive (after edit)", "send", "receive", send.Text("accessUrl")!, "--password", "s3cret");
        await bw.OkAsync("bw send remove-password", "send", "remove-password", send.Id());
        var opened = await (await RecipientAsync()).OkAsync("bw send receive (password removed)", "send", "receive", send.Text("accessUrl")!);

        Assert.Equal("After", edited.Text("name"));
        Assert.Contains("Password required", Printed(withoutPassword), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Kept secret", withPassword.Trim());
        Assert.Equal("Kept secret", opened.Trim());
    }

    private static string Printed(Coffer.Testing.ProcessResult result) => result.StdOut + result.StdErr;

    /// <summary>A fresh bw profile pointed at the server and never logged in: a recipient without an account.</summary>
    private async Task<BwClient> RecipientAsync()
    {
        var recipient = fixture.NewBw(TestAccount.CreateUnique());
        await recipient.OkAsync("bw config server (recipient)", "config", "server", fixture.Server.Url);
        return recipient;
    }
}
