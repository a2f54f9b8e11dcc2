using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests.Cluster;

/// <summary>
/// `bw send` on a database server (PostgreSQL, or MariaDB with <c>COFFER_TEST_PROVIDER=mysql</c>) with three nodes behind nginx: the grant, the access, the file URL and the download of one
/// `bw send receive` land on whichever node nginx picks, so a Send token or download token issued by one node must be
/// honoured by the others, and the file must be in the database, not in one node's folder.
/// </summary>
public sealed class BwSendClusterTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task BwSendFileWithPassword_ThroughNginx_IsReceivedWithTheSameBytesUntilItsAccessesRunOut()
    {
        var account = TestAccount.CreateUnique();
        await fixture.NewCoffer(account).RegisterAsync(fixture.Nginx.Url);
        var bw = fixture.NewBw(account);
        await bw.LoginAsync(fixture.Nginx.Url);
        var folder = Directory.CreateTempSubdirectory("coffer-send-files-");
        var source = Path.Combine(folder.FullName, "ssh-key.txt");
        await File.WriteAllTextAsync(source, string.Concat(Enumerable.Range(0, 500).Select(i => $"line {i} {Guid.NewGuid():N}\n")));
        var send = await bw.JsonAsync("bw send -f --password -a 2", "send", "--fullObject", "-f", source, "--password", "s3cret", "-a", "2");
        var text = await bw.JsonAsync("bw send (text)", "send", "--fullObject", "Shared on every node");
        var received = new List<byte[]>();

        for (var i = 0; i < 2; i++)
        {
            var target = Path.Combine(folder.FullName, $"received-{i}.txt");
            await (await RecipientAsync()).OkAsync($"bw send receive --output ({i + 1})", "send", "receive", send.Text("accessUrl")!, "--password", "s3cret", "--output", target);
            received.Add(await File.ReadAllBytesAsync(target));
        }

        var third = await (await RecipientAsync()).FailsAsync("bw send receive (third)", "send", "receive", send.Text("accessUrl")!, "--password", "s3cret", "--output", Path.Combine(folder.FullName, "received-3.txt"));
        var textReceived = await (await RecipientAsync()).OkAsync("bw send receive (text)", "send", "receive", text.Text("accessUrl")!);

        var expected = await File.ReadAllBytesAsync(source);
        Assert.All(received, bytes => Assert.Equal(expected, bytes));
        Assert.Contains("Not found", third.StdOut + third.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Shared on every node", textReceived.Trim());
        Assert.False(File.Exists(Path.Combine(folder.FullName, "received-3.txt")));
        folder.Delete(recursive: true);
    }

    private async Task<BwClient> RecipientAsync()
    {
        var recipient = fixture.NewBw(TestAccount.CreateUnique());
        await recipient.OkAsync("bw config server (recipient)", "config", "server", fixture.Nginx.Url);
        return recipient;
    }
}
