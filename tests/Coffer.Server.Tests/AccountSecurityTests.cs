using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Tests;

/// <summary>Account doc §3.1, §3.2, §3.5, §3.7: master password and KDF changes, deauthorization, verification.</summary>
public sealed class AccountSecurityTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChangePassword_OldPasswordFails_NewPasswordLogsInWithNewKeyAndHint(bool objects)
    {
        var account = await TestAccount.CreateAsync(factory);
        var (newHash, newKey) = (Fake.MasterPasswordHash(), Fake.EncString());

        using var response = await account.Client.PostJsonAsync(AccountChanges.PasswordUrl, AccountChanges.Password(account, newHash, newKey, objects, hint: "the usual"));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Null(await AccountChanges.TryLoginAsync(factory, account.Email, account.Credentials.MasterPasswordHash));
        var token = await AccountChanges.TryLoginAsync(factory, account.Email, newHash);
        Assert.NotNull(token);
        Assert.Equal(newKey, (string?)token.Cli("Key"));
        Assert.Equal(600_000, (int?)token.Cli("KdfIterations"));
    }

    [Fact]
    public async Task ChangePassword_EndsEverySession_AndRecordsEvent1001()
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.PostJsonAsync(AccountChanges.PasswordUrl, AccountChanges.Password(account, Fake.MasterPasswordHash(), Fake.EncString(), objects: true));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        await AccountChanges.AssertSessionEndedAsync(account);
        await AccountChanges.AssertSessionAliveAsync(other);
        Assert.Contains(EventType.UserChangedPassword, await AccountChanges.AuditEventsAsync(factory, account.UserId));
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("missing")]
    [InlineData("empty")]
    [InlineData("huge")]
    public async Task ChangePassword_WithoutTheCurrentHash_Returns400InvalidPassword_AndChangesNothing(string kind)
    {
        var account = await TestAccount.CreateAsync(factory);
        var body = AccountChanges.Password(account, Fake.MasterPasswordHash(), Fake.EncString(), objects: false);
        body["masterPasswordHash"] = kind switch
        {
            "wrong" => Fake.MasterPasswordHash(),
            "missing" => null,
            "empty" => "",
            _ => new string('A', 400),
        };

        using var response = await account.Client.PostJsonAsync(AccountChanges.PasswordUrl, body);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid password.", (string?)error["message"]);
        await AccountChanges.AssertSessionAliveAsync(account);
        Assert.NotNull(await AccountChanges.TryLoginAsync(factory, account.Email, account.Credentials.MasterPasswordHash));
    }

    [Theory]
    [InlineData("kdfObjectsDisagree")]
    [InlineData("kdfNotStored")]
    [InlineData("saltNotEmail")]
    [InlineData("unlockSaltNotEmail")]
    [InlineData("hashDisagrees")]
    [InlineData("keyDisagrees")]
    [InlineData("onlyOneObject")]
    [InlineData("containedKeyIdWrong")]
    [InlineData("newHashNotBase64")]
    [InlineData("newHashShort")]
    [InlineData("newKeyNotEncString")]
    [InlineData("newKeyMissing")]
    [InlineData("hintTooLong")]
    public async Task ChangePassword_InconsistentOrMalformed_Returns400_AndChangesNothing(string defect)
    {
        var account = await TestAccount.CreateAsync(factory);
        await SetUserKeyIdAsync(account);
        var body = AccountChanges.Password(account, Fake.MasterPasswordHash(), Fake.EncString(), objects: true);
        switch (defect)
        {
            case "kdfObjectsDisagree": body["unlockData"]!["kdf"] = new Kdf(0, 700_000).ToObject(); break;
            case "kdfNotStored": body["unlockData"]!["kdf"] = new Kdf(0, 700_000).ToObject(); body["authenticationData"]!["kdf"] = new Kdf(0, 700_000).ToObject(); break;
            case "saltNotEmail": body["authenticationData"]!["salt"] = "someone@example.com"; break;
            case "unlockSaltNotEmail": body["unlockData"]!["salt"] = account.Email.ToUpperInvariant(); break;
            case "hashDisagrees": body["authenticationData"]!["masterPasswordAuthenticationHash"] = Fake.MasterPasswordHash(); break;
            case "keyDisagrees": body["unlockData"]!["masterKeyWrappedUserKey"] = Fake.EncString(); break;
            case "onlyOneObject": body.Remove("unlockData"); break;
            case "containedKeyIdWrong": body["unlockData"]!["containedKeyId"] = Fake.UserKeyId(); break;
            case "newHashNotBase64": body["newMasterPasswordHash"] = "not base64!"; body.Remove("authenticationData"); body.Remove("unlockData"); break;
            case "newHashShort": body["newMasterPasswordHash"] = Fake.Base64(16); body.Remove("authenticationData"); body.Remove("unlockData"); break;
            case "newKeyNotEncString": body["key"] = "2.nonsense"; body.Remove("authenticationData"); body.Remove("unlockData"); break;
            case "newKeyMissing": body["key"] = null; body.Remove("authenticationData"); body.Remove("unlockData"); break;
            default: body["masterPasswordHint"] = new string('h', 51); break;
        }

        using var response = await account.Client.PostJsonAsync(AccountChanges.PasswordUrl, body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await AccountChanges.AssertSessionAliveAsync(account);
        Assert.NotNull(await AccountChanges.TryLoginAsync(factory, account.Email, account.Credentials.MasterPasswordHash));
    }

    [Fact]
    public async Task ChangePassword_HintOf50Characters_IsStored()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.PostJsonAsync(AccountChanges.PasswordUrl, AccountChanges.Password(account, Fake.MasterPasswordHash(), Fake.EncString(), objects: false, hint: new string('h', 50)));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var hint = await AccountChanges.QueryAsync(factory, db => db.Users.Where(u => u.Email == account.Email).Select(u => u.MasterPasswordHint).SingleAsync());
        Assert.Equal(new string('h', 50), hint);
    }

    [Fact]
    public async Task ChangeKdf_ToArgon2id_PreloginShowsIt_AndOnlyTheNewHashLogsIn()
    {
        var account = await TestAccount.CreateAsync(factory);
        var (newHash, newKey) = (Fake.MasterPasswordHash(), Fake.EncString());

        using var response = await account.Client.PostJsonAsync(AccountChanges.KdfUrl, AccountChanges.KdfChange(account, Kdf.Argon2id, newHash, newKey));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var prelogin = await IdentityApi.PreloginAsync(factory.Anonymous(), account.Email);
        Assert.Equal(1, (int?)prelogin["kdfSettings"]!["kdfType"]);
        Assert.Equal(3, (int?)prelogin["kdfSettings"]!["iterations"]);
        Assert.Equal(64, (int?)prelogin["kdfSettings"]!["memory"]);
        Assert.Equal(4, (int?)prelogin["kdfSettings"]!["parallelism"]);
        await AccountChanges.AssertSessionEndedAsync(account);
        Assert.Null(await AccountChanges.TryLoginAsync(factory, account.Email, account.Credentials.MasterPasswordHash));
        var token = await AccountChanges.TryLoginAsync(factory, account.Email, newHash);
        Assert.Equal(newKey, (string?)token.Cli("Key"));
        Assert.Contains(EventType.UserChangedKdf, await AccountChanges.AuditEventsAsync(factory, account.UserId));
    }

    [Fact]
    public async Task ChangeKdf_LegacyFlatFields_AreAccepted_AndWeakerButValidSettingsAreAllowedHere()
    {
        var account = await TestAccount.CreateAsync(factory, new Kdf(0, 900_000));
        var newHash = Fake.MasterPasswordHash();
        var body = new JsonObject
        {
            ["masterPasswordHash"] = account.Credentials.MasterPasswordHash,
            ["newMasterPasswordHash"] = newHash,
            ["key"] = Fake.EncString(),
            ["kdf"] = 0,
            ["kdfIterations"] = 600_000,
            ["kdfMemory"] = null,
            ["kdfParallelism"] = null,
        };

        using var response = await account.Client.PostJsonAsync(AccountChanges.KdfUrl, body);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal(600_000, (int?)(await IdentityApi.PreloginAsync(factory.Anonymous(), account.Email))["kdfIterations"]);
        Assert.NotNull(await AccountChanges.TryLoginAsync(factory, account.Email, newHash));
    }

    public static TheoryData<int, int, int?, int?> KdfBelowMinimum => new()
    {
        { 0, 599_999, null, null },
        { 0, 2_000_001, null, null },
        { 0, 600_000, 64, 4 },
        { 1, 1, 64, 4 },
        { 1, 3, 14, 4 },
        { 1, 3, 64, 0 },
        { 1, 3, null, null },
        { 1, 3, 2048, 4 },
        { 7, 600_000, null, null },
    };

    [Theory]
    [MemberData(nameof(KdfBelowMinimum))]
    public async Task ChangeKdf_OutsideTheBounds_Returns400_AndNothingChanged(int type, int iterations, int? memory, int? parallelism)
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.PostJsonAsync(AccountChanges.KdfUrl, AccountChanges.KdfChange(account, new Kdf(type, iterations, memory, parallelism), Fake.MasterPasswordHash(), Fake.EncString()));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await AssertKdfUnchangedAsync(account);
    }

    [Theory]
    [InlineData("kdfObjectsDisagree")]
    [InlineData("saltNotEmail")]
    [InlineData("noObjects")]
    [InlineData("wrongHash")]
    [InlineData("newHashMissing")]
    public async Task ChangeKdf_MismatchedOrUnverified_Returns400_AndNothingChanged(string defect)
    {
        var account = await TestAccount.CreateAsync(factory);
        var body = AccountChanges.KdfChange(account, Kdf.Argon2id, Fake.MasterPasswordHash(), Fake.EncString());
        switch (defect)
        {
            case "kdfObjectsDisagree": body["unlockData"]!["kdf"] = new Kdf(1, 4, 64, 4).ToObject(); break;
            case "saltNotEmail": body["unlockData"]!["salt"] = "x" + account.Email; break;
            case "noObjects": body.Remove("unlockData"); body.Remove("authenticationData"); break;
            case "wrongHash": body["masterPasswordHash"] = Fake.MasterPasswordHash(); break;
            default: body["authenticationData"]!["masterPasswordAuthenticationHash"] = null; break;
        }

        using var response = await account.Client.PostJsonAsync(AccountChanges.KdfUrl, body);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        if (defect == "wrongHash")
        {
            Assert.Equal("Invalid password.", (string?)error["message"]);
        }

        await AssertKdfUnchangedAsync(account);
        await AccountChanges.AssertSessionAliveAsync(account);
    }

    [Fact]
    public async Task SecurityStamp_EndsEverySession_ButThePasswordStillLogsIn()
    {
        var account = await TestAccount.CreateAsync(factory);
        var revision = await account.RevisionDateAsync();

        using var response = await account.Client.PostJsonAsync(AccountChanges.SecurityStampUrl, AccountChanges.Secret(account.Credentials.MasterPasswordHash));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        await AccountChanges.AssertSessionEndedAsync(account);
        var token = await AccountChanges.TryLoginAsync(factory, account.Email, account.Credentials.MasterPasswordHash);
        Assert.NotNull(token);
        Assert.Contains(EventType.UserDeauthorizedSessions, await AccountChanges.AuditEventsAsync(factory, account.UserId));

        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.RequireString("access_token"));
        using var revisionResponse = await client.GetAsync("/api/accounts/revision-date");
        Assert.True((await revisionResponse.ExpectJsonAsync())!.GetValue<long>() >= revision);
    }

    [Fact]
    public async Task SecurityStamp_WrongHash_Returns400_AndTheSessionLives()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.PostJsonAsync(AccountChanges.SecurityStampUrl, AccountChanges.Secret(Fake.MasterPasswordHash()));

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid password.", (string?)error["message"]);
        await AccountChanges.AssertSessionAliveAsync(account);
    }

    [Fact]
    public async Task SecurityStamp_OtpInsteadOfPassword_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.PostJsonAsync(AccountChanges.SecurityStampUrl, new JsonObject { ["otp"] = "123456" });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await AccountChanges.AssertSessionAliveAsync(account);
    }

    [Fact]
    public async Task VerifyPassword_Right_Returns200WithThePolicyBody_WrongReturns400()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var right = await account.Client.PostJsonAsync(AccountChanges.VerifyPasswordUrl, AccountChanges.Secret(account.Credentials.MasterPasswordHash));
        using var wrong = await account.Client.PostJsonAsync(AccountChanges.VerifyPasswordUrl, AccountChanges.Secret(Fake.MasterPasswordHash()));

        var policy = await right.ExpectObjectAsync();
        Assert.Equal("masterPasswordPolicy", (string?)policy["object"]);
        foreach (var field in new[] { "minComplexity", "minLength", "requireLower", "requireUpper", "requireNumbers", "requireSpecial", "enforceOnLogin" })
        {
            Assert.True(policy.ContainsKey(field), field);
            Assert.Null(policy[field]);
        }

        var error = await wrong.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid password.", (string?)error["message"]);
        await AccountChanges.AssertSessionAliveAsync(account);
    }

    [Theory]
    [InlineData(AccountChanges.PasswordUrl)]
    [InlineData(AccountChanges.KdfUrl)]
    [InlineData(AccountChanges.SecurityStampUrl)]
    [InlineData(AccountChanges.VerifyPasswordUrl)]
    [InlineData(AccountChanges.RotateUrl)]
    [InlineData(AccountChanges.EmailTokenUrl)]
    [InlineData(AccountChanges.EmailUrl)]
    public async Task AccountSecurityRoutes_WithoutAToken_Return401(string url)
    {
        using var response = await factory.Anonymous().PostJsonAsync(url, AccountChanges.Secret(Fake.MasterPasswordHash()));

        await response.ExpectStatusAsync(HttpStatusCode.Unauthorized);
    }

    private async Task AssertKdfUnchangedAsync(TestAccount account)
    {
        var prelogin = await IdentityApi.PreloginAsync(factory.Anonymous(), account.Email);
        Assert.Equal(account.Credentials.Kdf.Type, (int?)prelogin["kdf"]);
        Assert.Equal(account.Credentials.Kdf.Iterations, (int?)prelogin["kdfIterations"]);
        Assert.NotNull(await AccountChanges.TryLoginAsync(factory, account.Email, account.Credentials.MasterPasswordHash));
    }

    private static async Task SetUserKeyIdAsync(TestAccount account)
    {
        using var response = await account.Client.PostJsonAsync("/api/accounts/key-management/user-key-id", new JsonObject { ["userKeyId"] = Fake.UserKeyId() });
        await response.ExpectSuccessAsync();
    }
}
