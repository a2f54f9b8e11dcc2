using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.Organizations;

namespace Coffer.Server.Tests.Sends;

/// <summary>
/// What else governs a Send: organization policies (DisableSend 6, SendOptions 7), the owner's key rotation
/// (<c>accountData.sends</c>) and the account's storage quota (<c>bitwarden-sharing-features.md</c> §1.5, §3.4).
/// </summary>
public sealed class SendRulesTests : IClassFixture<CofferFactory>
{
    private readonly CofferFactory factory;

    public SendRulesTests(CofferFactory factory)
    {
        this.factory = factory;
        // A small account quota, so filling it takes a few hundred bytes (read when the server starts).
        factory.Settings["Coffer:Files:AccountQuotaBytes"] = "2048";
    }

    [Fact]
    public async Task DisableSendPolicy_RefusesCreateEditAndRemovePassword_ButNotDeleteOrReceive()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        var send = await SendApi.CreateTextAsync(member, SendApi.Text(SendApi.PasswordHash()));
        var plain = await SendApi.CreateTextAsync(member);
        await PolicyTests.EnablePolicyAsync(organization, PolicyType.DisableSend);

        using var create = await member.Client.PostJsonAsync("/api/sends", SendApi.Text());
        using var createFile = await member.Client.PostJsonAsync("/api/sends/file/v2", SendApi.File(81));
        using var edit = await member.Client.PutJsonAsync($"/api/sends/{send.RequireString("id")}", SendApi.Text());
        using var removePassword = await member.Client.SendEmptyAsync(HttpMethod.Put, $"/api/sends/{send.RequireString("id")}/remove-password");
        using var ownerCreates = await organization.Owner.Client.PostJsonAsync("/api/sends", SendApi.Text());
        var token = await SendApi.TokenAsync(factory.CreateClient(), plain.RequireString("accessId"));
        using var delete = await member.Client.DeleteAsync($"/api/sends/{send.RequireString("id")}");

        foreach (var refused in new[] { create, createFile, edit, removePassword })
        {
            Assert.Equal(PolicyEnforcement.SendDisabled, (string?)(await refused.ExpectObjectAsync(HttpStatusCode.BadRequest))["message"]);
        }

        // Owners and admins are exempt (upstream), and deleting stays allowed.
        await ownerCreates.ExpectObjectAsync();
        Assert.NotEmpty(token);
        await delete.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SendOptionsPolicy_WithDisableHideEmail_RefusesHidingTheEmailOnly()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        await PolicyTests.EnablePolicyAsync(organization, PolicyType.SendOptions, new JsonObject { ["disableHideEmail"] = true });

        using var hidden = await member.Client.PostJsonAsync("/api/sends", SendApi.Text(hideEmail: true));
        using var shown = await member.Client.PostJsonAsync("/api/sends", SendApi.Text(hideEmail: false));

        Assert.Equal(PolicyEnforcement.HideEmailForbidden, (string?)(await hidden.ExpectObjectAsync(HttpStatusCode.BadRequest))["message"]);
        await shown.ExpectObjectAsync();
    }

    [Fact]
    public async Task KeyRotation_ReKeysEverySend_AndKeepsTheirLinks()
    {
        var account = await TestAccount.CreateAsync(factory);
        var hash = SendApi.PasswordHash();
        var send = await SendApi.CreateTextAsync(account, SendApi.Text(hash));
        var rotation = KeyRotationTests.Rotation(account, new KeyRotationTests.Vault([], [], ""));
        var rotated = SendApi.Text();
        rotated["id"] = send.RequireString("id");
        rotation.Body["accountData"]!["sends"] = new JsonArray(rotated);

        using var response = await account.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var again = await TestAccount.LoginAsync(factory, account.Credentials);
        var synced = Assert.Single((await again.SyncAsync()).RequireArray("sends"))!;
        Assert.Equal((string?)rotated["key"], (string?)synced["key"]);
        // Only the seed's wrapping changed: name, content and password are the Send's own.
        Assert.Equal((string?)send["name"], (string?)synced["name"]);
        Assert.NotEmpty(await SendApi.TokenAsync(factory.CreateClient(), send.RequireString("accessId"), hash));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("foreign")]
    [InlineData("notEncString")]
    public async Task KeyRotation_WithoutExactlyTheSends_Returns400AndChangesNothing(string what)
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var send = await SendApi.CreateTextAsync(account);
        var foreign = await SendApi.CreateTextAsync(other);
        var rotation = KeyRotationTests.Rotation(account, new KeyRotationTests.Vault([], [], ""));
        var rotated = SendApi.Text();
        rotated["id"] = send.RequireString("id");
        rotated["key"] = what == "notEncString" ? "not a key" : rotated["key"]!.DeepClone();
        var foreignEntry = SendApi.Text();
        foreignEntry["id"] = foreign.RequireString("id");
        rotation.Body["accountData"]!["sends"] = what switch
        {
            "missing" => new JsonArray(),
            "foreign" => new JsonArray(rotated, foreignEntry),
            _ => new JsonArray(rotated),
        };

        using var response = await account.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        await response.ExpectStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal((string?)send["key"], (string?)Assert.Single((await account.SyncAsync()).RequireArray("sends"))!["key"]);
    }

    [Fact]
    public async Task FileSend_BeyondTheAccountQuota_Returns400AndStoresNothing()
    {
        var account = await TestAccount.CreateAsync(factory);
        var first = SendApi.EncryptedFile(100);
        await SendApi.CreateFileAsync(account, first);

        using var response = await account.Client.PostJsonAsync("/api/sends/file/v2", SendApi.File(2048 - first.Length + 16));

        Assert.Equal("Not enough storage available.", (string?)(await response.ExpectObjectAsync(HttpStatusCode.BadRequest))["message"]);
        Assert.Single((await account.SyncAsync()).RequireArray("sends"));
    }

    [Fact]
    public async Task RacingFileSends_ForTheLastFreeBytes_ExactlyOneIsCreated()
    {
        var account = await TestAccount.CreateAsync(factory);
        // An encrypted file's length (49 + 16·n) of which one fits the 2048-byte quota and two do not.
        const long length = 49 + (16 * 63);

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => account.Client.PostJsonAsync("/api/sends/file/v2", SendApi.File(length))));

        Assert.Single(answers, a => a.IsSuccessStatusCode);
        Assert.All(answers.Where(a => !a.IsSuccessStatusCode), a => Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode));
        Assert.Single((await account.SyncAsync()).RequireArray("sends"));
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }
}
