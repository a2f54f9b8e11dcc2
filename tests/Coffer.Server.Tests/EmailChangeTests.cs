using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// Account doc §3.4 on a server without mail: nobody can learn the token, so step 2 is accepted only for the address
/// recorded by step 1, within 30 minutes, with the master password hash verified again (with mail: Mail/MailUseTests).
/// </summary>
public sealed class EmailChangeTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task ChangeEmail_PreloginSaltBecomesTheNewEmail_AndOnlyTheNewHashLogsInThere()
    {
        var account = await TestAccount.CreateAsync(factory);
        var newEmail = Fake.Email();
        var (newHash, newKey) = (Fake.MasterPasswordHash(), Fake.EncString());

        await RequestTokenAsync(account, newEmail);
        using var response = await account.Client.PostJsonAsync(AccountChanges.EmailUrl, Step2(account, newEmail, newHash, newKey));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        await AccountChanges.AssertSessionEndedAsync(account);
        Assert.Equal(newEmail, (string?)(await IdentityApi.PreloginAsync(factory.Anonymous(), newEmail))["salt"]);
        Assert.Null(await AccountChanges.TryLoginAsync(factory, account.Email, account.Credentials.MasterPasswordHash));
        Assert.Null(await AccountChanges.TryLoginAsync(factory, newEmail, account.Credentials.MasterPasswordHash));
        var token = await AccountChanges.TryLoginAsync(factory, newEmail, newHash);
        Assert.NotNull(token);
        Assert.Equal(newKey, (string?)token.Cli("Key"));
        Assert.Equal(newEmail, (string?)token.Cli("UserDecryptionOptions").Cli("MasterPasswordUnlock").Cli("Salt"));
        Assert.Contains(EventType.UserChangedEmail, await AccountChanges.AuditEventsAsync(factory, account.UserId));
    }

    [Fact]
    public async Task ChangeEmail_NewAddressIsNormalized()
    {
        var account = await TestAccount.CreateAsync(factory);
        var newEmail = Fake.Email();
        var newHash = Fake.MasterPasswordHash();

        await RequestTokenAsync(account, "  " + newEmail.ToUpperInvariant() + " ");
        using var response = await account.Client.PostJsonAsync(AccountChanges.EmailUrl, Step2(account, newEmail.ToUpperInvariant(), newHash, Fake.EncString()));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.NotNull(await AccountChanges.TryLoginAsync(factory, newEmail, newHash));
    }

    [Fact]
    public async Task EmailToken_ForATakenAddress_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.PostJsonAsync(AccountChanges.EmailTokenUrl, Step1(account, other.Email));

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Email already in use.", (string?)error["message"]);
    }

    [Theory]
    [InlineData("wrongHash")]
    [InlineData("notAnEmail")]
    [InlineData("missingEmail")]
    public async Task EmailToken_Refused_Returns400(string defect)
    {
        var account = await TestAccount.CreateAsync(factory);
        var body = Step1(account, Fake.Email());
        switch (defect)
        {
            case "wrongHash": body["masterPasswordHash"] = Fake.MasterPasswordHash(); break;
            case "notAnEmail": body["newEmail"] = "not an address"; break;
            default: body.Remove("newEmail"); break;
        }

        using var response = await account.Client.PostJsonAsync(AccountChanges.EmailTokenUrl, body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ChangeEmail_WithoutStep1_Returns400_AndNothingChanges()
    {
        var account = await TestAccount.CreateAsync(factory);
        var newEmail = Fake.Email();

        using var response = await account.Client.PostJsonAsync(AccountChanges.EmailUrl, Step2(account, newEmail, Fake.MasterPasswordHash(), Fake.EncString()));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await AssertUnchangedAsync(account);
    }

    [Fact]
    public async Task ChangeEmail_ToAnotherAddressThanTheTokenWasFor_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        await RequestTokenAsync(account, Fake.Email());

        using var response = await account.Client.PostJsonAsync(AccountChanges.EmailUrl, Step2(account, Fake.Email(), Fake.MasterPasswordHash(), Fake.EncString()));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await AssertUnchangedAsync(account);
    }

    [Theory]
    [InlineData("wrongHash")]
    [InlineData("newHashNotBase64")]
    [InlineData("keyNotEncString")]
    [InlineData("keyMissing")]
    public async Task ChangeEmail_Unverified_OrMalformed_Returns400_AndNothingChanges(string defect)
    {
        var account = await TestAccount.CreateAsync(factory);
        var newEmail = Fake.Email();
        await RequestTokenAsync(account, newEmail);
        var body = Step2(account, newEmail, Fake.MasterPasswordHash(), Fake.EncString());
        switch (defect)
        {
            case "wrongHash": body["masterPasswordHash"] = Fake.MasterPasswordHash(); break;
            case "newHashNotBase64": body["newMasterPasswordHash"] = "?"; break;
            case "keyNotEncString": body["key"] = "0.abc"; break;
            default: body.Remove("key"); break;
        }

        using var response = await account.Client.PostJsonAsync(AccountChanges.EmailUrl, body);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        if (defect == "wrongHash")
        {
            Assert.Equal("Invalid password.", (string?)error["message"]);
        }

        await AssertUnchangedAsync(account);
    }

    [Fact]
    public async Task ChangeEmail_WhenTheAddressWasTakenAfterStep1_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var newEmail = Fake.Email();
        await RequestTokenAsync(account, newEmail);
        await IdentityApi.RegisterAsync(factory.Anonymous(), Credentials.New(email: newEmail));

        using var response = await account.Client.PostJsonAsync(AccountChanges.EmailUrl, Step2(account, newEmail, Fake.MasterPasswordHash(), Fake.EncString()));

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Email already in use.", (string?)error["message"]);
        await AssertUnchangedAsync(account);
    }

    [Fact]
    public async Task ChangeEmail_TheSecondTime_WithTheSameStep1_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var newEmail = Fake.Email();
        var newHash = Fake.MasterPasswordHash();
        await RequestTokenAsync(account, newEmail);
        using (var first = await account.Client.PostJsonAsync(AccountChanges.EmailUrl, Step2(account, newEmail, newHash, Fake.EncString())))
        {
            await first.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var token = await AccountChanges.TryLoginAsync(factory, newEmail, newHash);
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.RequireString("access_token"));
        var again = new JsonObject { ["masterPasswordHash"] = newHash, ["newEmail"] = newEmail, ["token"] = "0", ["newMasterPasswordHash"] = newHash, ["key"] = Fake.EncString() };

        using var response = await client.PostJsonAsync(AccountChanges.EmailUrl, again);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ChangeEmail_MoreThan30MinutesAfterStep1_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var newEmail = Fake.Email();
        await RequestTokenAsync(account, newEmail);
        factory.Clock.Advance(TimeSpan.FromMinutes(31));

        using var response = await account.Client.PostJsonAsync(AccountChanges.EmailUrl, Step2(account, newEmail, Fake.MasterPasswordHash(), Fake.EncString()));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await AssertUnchangedAsync(account);
    }

    private static JsonObject Step1(TestAccount account, string newEmail) =>
        new() { ["masterPasswordHash"] = account.Credentials.MasterPasswordHash, ["newEmail"] = newEmail };

    private static JsonObject Step2(TestAccount account, string newEmail, string newHash, string newKey) => new()
    {
        ["masterPasswordHash"] = account.Credentials.MasterPasswordHash,
        ["newEmail"] = newEmail,
        ["token"] = "123456",
        ["newMasterPasswordHash"] = newHash,
        ["key"] = newKey,
    };

    private static async Task RequestTokenAsync(TestAccount account, string newEmail)
    {
        using var response = await account.Client.PostJsonAsync(AccountChanges.EmailTokenUrl, Step1(account, newEmail));
        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    private async Task AssertUnchangedAsync(TestAccount account)
    {
        await AccountChanges.AssertSessionAliveAsync(account);
        Assert.NotNull(await AccountChanges.TryLoginAsync(factory, account.Email, account.Credentials.MasterPasswordHash));
    }
}
