using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Cli.Tests.Cli;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>
/// <c>coffer emergency</c> against the real server (no mail, so an invited account is accepted at once), two accounts
/// each in its own config directory: invite, confirm with the fingerprint phrase, initiate, approve, view with an
/// attachment, reject, remove, and a takeover after which the grantor's old password and session are refused.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EmergencyCliTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private const string NewPassword = "a brand new master password";

    private readonly CliRun _grantor = new();
    private readonly CliRun _grantee = new();
    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("coffer-emergency-");

    public void Dispose()
    {
        _grantor.Dispose();
        _grantee.Dispose();
        _files.Delete(recursive: true);
    }

    [Fact]
    public async Task ViewGrant_ConfirmedByFingerprint_ReadsItemsAndAttachmentsOnlyWhileApproved()
    {
        var grantorEmail = await _grantor.LoginNewAccountAsync(server.BaseUrl, CliAccounts.Password);
        var granteeEmail = await _grantee.LoginNewAccountAsync(server.BaseUrl, CliAccounts.Password);
        await _grantor.OkAsync("add", "login", "--name", "Bank", "--username", "alice", "--password", "S3cret-bank", "--passwordenv", "MP");
        var content = RandomNumberGenerator.GetBytes(20_011);
        var source = Path.Combine(_files.FullName, "will.pdf");
        await File.WriteAllBytesAsync(source, content);
        await _grantor.OkAsync("attachment", "add", "Bank", source, "--passwordenv", "MP");

        var id = (await _grantor.OkAsync("emergency", "invite", granteeEmail, "--type", "view", "--wait", "3")).Trim();
        Assert.True(Guid.TryParse(id, out _), id);
        Assert.Contains($"trusted\t{id}\t{granteeEmail}\tTest\tview\taccepted\t3", await _grantor.OkAsync("emergency", "list"), StringComparison.Ordinal);
        Assert.Contains($"granted\t{id}\t{grantorEmail}\tTest\tview\taccepted\t3", await _grantee.OkAsync("emergency", "list"), StringComparison.Ordinal);

        // A wrong phrase confirms nothing; without a terminal or --fingerprint it is a usage error, as for organizations.
        var (wrong, _, wrongError) = await _grantor.RunAsync("emergency", "confirm", id, "--fingerprint", "alpha-beta-gamma-delta-epsilon", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, wrong);
        Assert.Contains("does not match", wrongError, StringComparison.Ordinal);
        var (noTerminal, _, _) = await _grantor.RunAsync("emergency", "confirm", id, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Usage, noTerminal);
        var (early, _, _) = await _grantee.RunAsync("emergency", "initiate", grantorEmail);
        Assert.Equal(ExitCodes.Error, early);

        var phrase = (await _grantee.OkAsync("get", "fingerprint", "me", "--passwordenv", "MP")).Trim();
        await _grantor.OkAsync("emergency", "confirm", granteeEmail, "--fingerprint", phrase, "--passwordenv", "MP");
        Assert.Contains("\tview\tconfirmed\t3", await _grantor.OkAsync("emergency", "list"), StringComparison.Ordinal);

        // Not before a request, nor while it waits.
        var (notAsked, _, notAskedError) = await _grantee.RunAsync("emergency", "view", id, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, notAsked);
        Assert.Contains("emergency initiate", notAskedError, StringComparison.Ordinal);
        await _grantee.OkAsync("emergency", "initiate", id);
        var (waiting, _, waitingError) = await _grantee.RunAsync("emergency", "view", id, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, waiting);
        Assert.Contains("not granted yet", waitingError, StringComparison.Ordinal);
        var (granteeApproves, _, _) = await _grantee.RunAsync("emergency", "approve", id);
        Assert.Equal(ExitCodes.NotFound, granteeApproves);

        await _grantor.OkAsync("emergency", "approve", granteeEmail);
        var listed = await _grantee.OkAsync("emergency", "view", id, "--passwordenv", "MP");
        Assert.Contains("\tBank\talice", listed, StringComparison.Ordinal);
        var item = JsonDocument.Parse(await _grantee.OkAsync("emergency", "view", id, "Bank", "--passwordenv", "MP")).RootElement;
        Assert.Equal("S3cret-bank", item.GetProperty("login").GetProperty("password").GetString());
        var target = Path.Combine(_files.FullName, "copy.pdf");
        await _grantee.OkAsync("emergency", "view", id, "Bank", "--attachment", "will", "--output", target, "--passwordenv", "MP");
        Assert.Equal(content, await File.ReadAllBytesAsync(target));

        // The grantee's own vault is untouched: the grantor's item is not in it.
        Assert.DoesNotContain("Bank", await _grantee.OkAsync("list", "--passwordenv", "MP"), StringComparison.Ordinal);

        await _grantor.OkAsync("emergency", "reject", id);
        var (rejected, _, _) = await _grantee.RunAsync("emergency", "view", id, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, rejected);
        var (viewIsNotTakeover, _, viewIsNotTakeoverError) = await _grantee.RunAsync("emergency", "takeover", id, "--new-passwordenv", "MP", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, viewIsNotTakeover);
        Assert.Contains("not takeover", viewIsNotTakeoverError, StringComparison.Ordinal);

        await _grantee.OkAsync("emergency", "rm", grantorEmail);
        Assert.DoesNotContain(id, await _grantor.OkAsync("emergency", "list"), StringComparison.Ordinal);
        var (gone, _, _) = await _grantee.RunAsync("emergency", "view", id, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.NotFound, gone);
    }

    [Fact]
    public async Task Takeover_SetsTheGrantorsNewPassword_TheOldOneAndTheOldSessionAreRefused_TheItemsStay()
    {
        var grantorEmail = await _grantor.LoginNewAccountAsync(server.BaseUrl, CliAccounts.Password);
        var granteeEmail = await _grantee.LoginNewAccountAsync(server.BaseUrl, CliAccounts.Password);
        await _grantor.OkAsync("add", "login", "--name", "Mail", "--password", "m41l-pass", "--passwordenv", "MP");
        _grantee.SetEnvironment("NEWMP", NewPassword);
        _grantor.SetEnvironment("NEWMP", NewPassword);

        var id = (await _grantor.OkAsync("emergency", "invite", granteeEmail, "--type", "takeover", "--wait", "1")).Trim();
        await _grantor.OkAsync("emergency", "confirm", id, "--fingerprint", (await _grantee.OkAsync("get", "fingerprint", "me", "--passwordenv", "MP")).Trim(), "--passwordenv", "MP");
        await _grantee.OkAsync("emergency", "initiate", id);
        var (tooEarly, _, _) = await _grantee.RunAsync("emergency", "takeover", id, "--new-passwordenv", "NEWMP", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, tooEarly);
        var (viewOfTakeover, _, _) = await _grantee.RunAsync("emergency", "view", id, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, viewOfTakeover);
        await _grantor.OkAsync("emergency", "approve", id);

        var done = await _grantee.OkAsync("emergency", "takeover", grantorEmail, "--new-passwordenv", "NEWMP", "--passwordenv", "MP");
        Assert.Contains(grantorEmail, done, StringComparison.Ordinal);

        // The grantor's session was ended by the server; the old password no longer logs in, the new one does.
        var (oldSession, _, _) = await _grantor.RunAsync("sync");
        Assert.Equal(ExitCodes.Error, oldSession);
        var (oldPassword, _, _) = await _grantor.RunAsync("login", grantorEmail, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, oldPassword);
        await _grantor.OkAsync("login", grantorEmail, "--passwordenv", "NEWMP");
        Assert.Equal("m41l-pass", (await _grantor.OkAsync("get", "password", "Mail", "--passwordenv", "NEWMP")).Trim());
        Assert.Contains($"granted\t{id}\t{grantorEmail}", await _grantee.OkAsync("emergency", "list"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotateKey_WrapsTheNewKeyForAContactPinnedAtConfirm_ADeviceThatNeverCheckedThemAsksForTheirPhrase_TheirViewStillOpens()
    {
        var grantorEmail = await _grantor.LoginNewAccountAsync(server.BaseUrl, CliAccounts.Password);
        var granteeEmail = await _grantee.LoginNewAccountAsync(server.BaseUrl, CliAccounts.Password);
        await _grantor.OkAsync("add", "login", "--name", "Safe", "--password", "s4fe-code", "--passwordenv", "MP");
        var id = (await _grantor.OkAsync("emergency", "invite", granteeEmail)).Trim();
        var phrase = (await _grantee.OkAsync("get", "fingerprint", "me", "--passwordenv", "MP")).Trim();
        await _grantor.OkAsync("emergency", "confirm", id, "--fingerprint", phrase, "--passwordenv", "MP");

        // Another device of the grantor never checked the contact: the new key goes to them only after the person at
        // the terminal has seen the same phrase.
        using var laptop = new CliRun();
        laptop.SetEnvironment("MP", CliAccounts.Password);
        await laptop.OkAsync("config", "server", server.BaseUrl.ToString());
        await laptop.OkAsync("login", grantorEmail, "--passwordenv", "MP");
        var (noTerminal, _, noTerminalError) = await laptop.RunAsync("account", "rotate-key", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Usage, noTerminal);
        Assert.Contains("fingerprint", noTerminalError, StringComparison.Ordinal);
        var asked = new List<string>();
        laptop.Terminal = question =>
        {
            asked.Add(question);
            return "no";
        };
        var (refused, _, refusedError) = await laptop.RunAsync("account", "rotate-key", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, refused);
        Assert.Contains($"{granteeEmail} was not given the new key", refusedError, StringComparison.Ordinal);
        Assert.Contains(phrase, refusedError, StringComparison.Ordinal);
        Assert.Single(asked);

        // The device that confirmed them pinned their key then: it rotates from a script, with no question.
        await _grantor.OkAsync("sync");
        var (rotated, _, rotateError) = await _grantor.RunAsync("account", "rotate-key", "--passwordenv", "MP");
        Assert.True(rotated == ExitCodes.Ok, rotateError);
        await _grantor.OkAsync("login", grantorEmail, "--passwordenv", "MP");

        await _grantee.OkAsync("emergency", "initiate", id);
        await _grantor.OkAsync("emergency", "approve", id);
        var item = JsonDocument.Parse(await _grantee.OkAsync("emergency", "view", id, "Safe", "--passwordenv", "MP")).RootElement;
        Assert.Equal("s4fe-code", item.GetProperty("login").GetProperty("password").GetString());
    }

    [Fact]
    public async Task Invite_OfOneself_IsAUsageError_AndAnInvitationLinkWithoutTokenIsRefused()
    {
        var email = await _grantor.LoginNewAccountAsync(server.BaseUrl, CliAccounts.Password);

        var (self, _, selfError) = await _grantor.RunAsync("emergency", "invite", email.ToUpperInvariant());
        var (badWait, _, _) = await _grantor.RunAsync("emergency", "invite", "someone@example.com", "--wait", "0");
        var (badLink, _, badLinkError) = await _grantor.RunAsync("emergency", "accept", "https://vault.example/#/accept-emergency?id=" + Guid.NewGuid());

        Assert.Equal(ExitCodes.Usage, self);
        Assert.Contains("your own trusted contact", selfError, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, badWait);
        Assert.Equal(ExitCodes.Usage, badLink);
        Assert.Contains("token=", badLinkError, StringComparison.Ordinal);
        Assert.Equal("", await _grantor.OkAsync("emergency", "list"));
    }
}
