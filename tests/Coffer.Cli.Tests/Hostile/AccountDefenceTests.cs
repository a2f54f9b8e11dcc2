using System.Security.Cryptography;
using Coffer.Cli.Storage;
using Coffer.Cli.Tests.Cli;
using Coffer.Cli.Tests.EndToEnd;
using Coffer.Client.Crypto;
using Coffer.Client.Integrity;
using Coffer.Protocol.Crypto;
using Coffer.Testing.Hostile;

namespace Coffer.Cli.Tests.Hostile;

/// <summary>
/// The account attacks of malicious-server.md (BW03, BW07, BW11, BW12) against `coffer` through the hostile proxy. Each
/// scenario first runs unarmed (the honest login or sync succeeds), then armed: exit 20 with the check's code, nothing
/// secret in what the CLI sent, and the pins unchanged (or changed exactly as the design says).
/// </summary>
public sealed class AccountDefenceTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Password = "correct horse battery staple 42";

    [Theory]
    [InlineData(0, 5_000, null, null)]
    [InlineData(0, 599_999, null, null)]
    [InlineData(1, 2, 15, 1)]
    public async Task KdfDowngrade_OnAPinnedAccount_IsRefusedBeforeHashing_WithNoTokenRequest(int type, int iterations, int? memory, int? parallelism)
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var error = await ArmedLoginAsync(cli, proxy, _ => AccountScenarios.KdfDowngrade(new KdfConfig((KdfType)type, iterations, memory, parallelism)), "kdf-downgrade");

        Assert.Contains("weaker password hashing setting than last time (PBKDF2 600,000 → ", error, StringComparison.Ordinal);
        Assert.Single(proxy.Requests("POST", AccountScenarios.PreloginPath));
        Assert.Empty(proxy.Requests("POST", AccountScenarios.TokenPath));
    }

    [Fact]
    public async Task KdfFloorFirstUse_OnANewDevice_IsRefusedWithTheRaiseItMessage_AndNothingIsPinned()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var first = new CliRun();
        var account = await PinnedAccountAsync(first, proxy);
        using var fresh = new CliRun();
        fresh.SetEnvironment("MP", Password);
        await fresh.OkAsync("config", "server", proxy.BaseAddress.ToString());

        proxy.ClearEgress();
        proxy.Arm(AccountScenarios.KdfFloorFirstUse());
        var (code, _, error) = await fresh.RunAsync("login", account.Email, "--passwordenv", "MP");

        AssertRefused(code, error, "kdf-floor");
        Assert.Contains("This account's KDF is weaker than Coffer allows (PBKDF2 100,000). Raise it from a client you trust, then try again.", error, StringComparison.Ordinal);
        Assert.Empty(proxy.Requests("POST", AccountScenarios.TokenPath));
        Assert.Null(PinsText(fresh, proxy, account.Email));
        Assert.Empty(proxy.Leaks(account.Secrets()));
    }

    [Fact]
    public async Task FirstLogin_SaysWhichKdfItUsed_AndPinsIt_ButTheNextLoginDoesNot()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        cli.SetEnvironment("MP", Password);
        var email = $"user-{Guid.NewGuid():N}@example.com";
        await cli.OkAsync("config", "server", proxy.BaseAddress.ToString());
        await cli.OkAsync("register", email, "--passwordenv", "MP");

        var (firstCode, _, firstError) = await cli.RunAsync("login", email, "--passwordenv", "MP");
        var (secondCode, _, secondError) = await cli.RunAsync("login", email, "--passwordenv", "MP");

        Assert.Equal(0, firstCode);
        Assert.Contains($"First unlock of {email} on this device: the master key is derived with PBKDF2 600,000.", firstError, StringComparison.Ordinal);
        Assert.Equal(0, secondCode);
        Assert.DoesNotContain("master key is derived", secondError, StringComparison.Ordinal);
        var pins = Pins(cli, proxy, email)!;
        Assert.Equal(KdfConfig.DefaultPbkdf2, pins.Kdf);
        Assert.Equal(2, pins.ProtectedUserKeyType);
        Assert.NotNull(pins.UserKeyId);
        Assert.NotNull(pins.UserId);
        Assert.NotNull(pins.PublicKeySha256);
        Assert.NotNull(pins.HighestServerVersion);
    }

    [Fact]
    public async Task KdfRaisedOnAnotherDevice_IsAccepted_AndRepinnedAfterTheUserKeyDecrypts()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var account = await PinnedAccountAsync(cli, proxy);
        using var other = new CliRun();
        other.SetEnvironment("MP", Password);
        await other.OkAsync("config", "server", proxy.BaseAddress.ToString());
        await other.OkAsync("login", account.Email, "--passwordenv", "MP");
        await other.OkAsync("account", "kdf", "--pbkdf2", "650000", "--passwordenv", "MP");

        var (code, _, error) = await cli.RunAsync("login", account.Email, "--passwordenv", "MP");

        Assert.True(code == 0, error);
        Assert.Equal(new KdfConfig(KdfType.Pbkdf2Sha256, 650_000), Pins(cli, proxy, account.Email)!.Kdf);
    }

    [Fact]
    public async Task KdfLoweredOnThisDevice_IsNotTakenForADowngrade()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var account = await PinnedAccountAsync(cli, proxy);
        await cli.OkAsync("account", "kdf", "--pbkdf2", "700000", "--passwordenv", "MP");
        await cli.OkAsync("login", account.Email, "--passwordenv", "MP");
        await cli.OkAsync("account", "kdf", "--pbkdf2", "600000", "--passwordenv", "MP");

        var (code, _, error) = await cli.RunAsync("login", account.Email, "--passwordenv", "MP");

        Assert.True(code == 0, error);
        Assert.Equal(KdfConfig.DefaultPbkdf2, Pins(cli, proxy, account.Email)!.Kdf);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task KdfTokenMismatch_IsRefusedAfterTheTokenAndBeforeTheFirstSync(bool alsoDecryptionOptions)
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        await ArmedLoginAsync(cli, proxy, _ => AccountScenarios.KdfTokenMismatch(alsoDecryptionOptions: alsoDecryptionOptions), "kdf-mismatch");

        Assert.Single(proxy.Requests("POST", AccountScenarios.TokenPath));
        Assert.Empty(proxy.Requests("GET", AccountScenarios.SyncPath));
    }

    [Fact]
    public async Task KdfSyncMismatch_IsRefusedAtTheSync_AndLocksTheSession()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var account = await PinnedAccountAsync(cli, proxy);
        cli.SetEnvironment("COFFER_SESSION", SessionKeyOf(await cli.OkAsync("unlock", "--raw", "--passwordenv", "MP")));
        await cli.OkAsync("sync");
        var pinsBefore = PinsText(cli, proxy, account.Email);

        await ArmedSyncAsync(cli, proxy, AccountScenarios.KdfSyncMismatch(), "kdf-mismatch", account.Secrets());
        Assert.Equal(pinsBefore, PinsText(cli, proxy, account.Email));
        Assert.Null(Session(cli).Unlocked);
        var (listCode, _, _) = await cli.RunAsync("list");
        Assert.Equal(ExitCodes.Locked, listCode);
        Assert.Equal(KdfConfig.DefaultPbkdf2, Session(cli).Kdf.ToConfig());
    }

    [Fact]
    public async Task UserKeyType0_ForgedByTheBwb1Method_IsRefusedAtLogin_AndNothingIsEncrypted()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        await ArmedLoginAsync(cli, proxy, a => AccountScenarios.UserKeyType0(a.MasterKey), "userkey-type0");

        Assert.DoesNotContain(proxy.Egress, r => r.Method is "POST" or "PUT" && r.Path.StartsWith("/api/", StringComparison.Ordinal));
        Assert.Empty(proxy.Requests("GET", AccountScenarios.SyncPath));
    }

    [Fact]
    public async Task UserKeyType0_InASync_IsRefused_AndTheNextUnlockDoesNotUseIt()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var account = await PinnedAccountAsync(cli, proxy);
        await cli.OkAsync("sync");

        await ArmedSyncAsync(cli, proxy, AccountScenarios.UserKeyType0(account.MasterKey), "userkey-type0", account.Secrets());
        Assert.Equal(account.ProtectedUserKey, Session(cli).ProtectedUserKey);
        await cli.OkAsync("unlock", "--passwordenv", "MP");
    }

    [Fact]
    public async Task UserKey32Byte_WithAValidMac_IsRefusedAsUserKey32Byte()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        await ArmedLoginAsync(cli, proxy, a => AccountScenarios.UserKey32Byte(a.MasterKey), "userkey-32byte");

        Assert.Empty(proxy.Requests("GET", AccountScenarios.SyncPath));
    }

    [Fact]
    public async Task UserKey32Byte_AsThePapersThreeBlockType0_IsRefusedByTheTypeCheck()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        await ArmedLoginAsync(cli, proxy, a => AccountScenarios.UserKey32ByteLegacy(a.MasterKey), "userkey-type0");
    }

    [Fact]
    public async Task Type0ItemField_UnderTheRightEncKey_FailsWithTheSameWordsAsACorruptedMac()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var account = await PinnedAccountAsync(cli, proxy);
        await cli.OkAsync("add", "login", "--name", "Bank", "--username", "ann", "--password", "Pa55-unique-secret", "--passwordenv", "MP");
        Assert.Contains("Bank", await cli.OkAsync("list", "--passwordenv", "MP"), StringComparison.Ordinal);

        proxy.Arm(new HostileScenario("userkey-32byte", HostileRule.Rewrite("GET", AccountScenarios.SyncPath, body =>
        {
            var cipher = body!["ciphers"]![0]!;
            using var fieldKey = FieldKey(cipher, account.UserKey);
            var iv = RandomNumberGenerator.GetBytes(16);
            using var aes = Aes.Create();
            aes.Key = fieldKey.EncKey.ToArray();
            cipher["name"] = "0." + Convert.ToBase64String(iv) + "|" + Convert.ToBase64String(aes.EncryptCbc("Bank"u8, iv, PaddingMode.PKCS7));
            return body;
        })));
        await cli.OkAsync("sync");
        var (type0Code, _, type0Error) = await cli.RunAsync("list", "--passwordenv", "MP");

        proxy.Arm(new HostileScenario("mac-corrupted", HostileRule.Rewrite("GET", AccountScenarios.SyncPath, body =>
        {
            var cipher = body!["ciphers"]![0]!;
            var parts = ((string)cipher["name"]!)[2..].Split('|');
            cipher["name"] = $"2.{parts[0]}|{parts[1]}|{Convert.ToBase64String(new byte[32])}";
            return body;
        })));
        await cli.OkAsync("sync");
        var (macCode, _, macError) = await cli.RunAsync("list", "--passwordenv", "MP");

        Assert.NotEqual(0, type0Code);
        Assert.Equal(macCode, type0Code);
        Assert.Equal(macError, type0Error);
        Assert.Contains(EncStringCrypto.NotDecryptable, type0Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysMissing_AtLogin_IsRefused_AndNoKeyPairIsPosted()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        await ArmedLoginAsync(cli, proxy, _ => AccountScenarios.KeysMissing(), "keys-missing");

        Assert.Empty(proxy.Requests("POST", "^/api/accounts/keys$"));
        Assert.DoesNotContain(proxy.Egress, r => r.Method is "POST" or "PUT" && r.Path.StartsWith("/api/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeysMissing_InASync_IsRefused_AndTheCachedKeysStay()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var account = await PinnedAccountAsync(cli, proxy);
        await cli.OkAsync("sync");

        await ArmedSyncAsync(cli, proxy, AccountScenarios.KeysMissing(), "keys-missing", account.Secrets());
        Assert.Empty(proxy.Requests("POST", "^/api/accounts/keys$"));
        Assert.Equal(account.ProtectedUserKey, Session(cli).ProtectedUserKey);
        Assert.NotNull(Session(cli).Sync?.Profile.PrivateKey);
    }

    [Fact]
    public async Task KcConvert_AtLogin_IsRefused_WithoutContactingTheConnector_OrSendingTheMasterKey()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var error = await ArmedLoginAsync(cli, proxy, _ => AccountScenarios.KcConvert(new Uri(proxy.BaseAddress, "/key-connector")), "kc-convert");

        Assert.Contains("This server asked to remove your master password", error, StringComparison.Ordinal);
        Assert.DoesNotContain(proxy.Egress, r => r.Path.StartsWith("/key-connector", StringComparison.Ordinal));
        Assert.Empty(proxy.Requests("GET", AccountScenarios.SyncPath));
    }

    [Fact]
    public async Task KcConvert_ThroughAnInjectedOrganizationInTheSync_IsRefused_AndLocksTheSession()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var account = await PinnedAccountAsync(cli, proxy);
        await cli.OkAsync("add", "login", "--name", "Bank", "--username", "ann", "--password", "Pa55-unique-secret", "--passwordenv", "MP");
        cli.SetEnvironment("COFFER_SESSION", SessionKeyOf(await cli.OkAsync("unlock", "--raw", "--passwordenv", "MP")));
        await cli.OkAsync("sync");

        await ArmedSyncAsync(
            cli, proxy, AccountScenarios.KcConvert(new Uri(proxy.BaseAddress, "/key-connector"), inToken: false), "kc-convert",
            [.. account.Secrets(), Secret.Text("item password", "Pa55-unique-secret")]);
        Assert.DoesNotContain(proxy.Egress, r => r.Path.StartsWith("/key-connector", StringComparison.Ordinal));
        Assert.Null(Session(cli).Unlocked);
    }

    [Fact]
    public async Task KcConvert_AccessTokenClaimsAlone_ChangeNothing()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var account = await PinnedAccountAsync(cli, proxy);
        await cli.OkAsync("logout");
        var tokenOnly = AccountScenarios.KcConvert(new Uri(proxy.BaseAddress, "/key-connector"), inToken: false);

        // Only the forged amr claim (and the proxy's swap back of the real token): no Key Connector field anywhere.
        proxy.Arm(new HostileScenario("kc-convert-amr-only", [tokenOnly.Rules[0], tokenOnly.Rules[1]]));
        var (code, _, error) = await cli.RunAsync("login", account.Email, "--passwordenv", "MP");

        Assert.True(code == 0, error);
        Assert.Contains("\"external\"", JwtPayload(Session(cli).AccessToken), StringComparison.Ordinal);
        Assert.DoesNotContain(proxy.Egress, r => r.Path.StartsWith("/key-connector", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UserKeyRotatedOnAnotherDevice_IsAccepted_WithAWarning_AndRepinned()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var account = await PinnedAccountAsync(cli, proxy);
        var oldKeyId = Pins(cli, proxy, account.Email)!.UserKeyId;
        using var other = new CliRun();
        other.SetEnvironment("MP", Password);
        await other.OkAsync("config", "server", proxy.BaseAddress.ToString());
        await other.OkAsync("login", account.Email, "--passwordenv", "MP");
        await other.OkAsync("account", "rotate-key", "--passwordenv", "MP");

        var (code, _, error) = await cli.RunAsync("login", account.Email, "--passwordenv", "MP");

        Assert.True(code == 0, error);
        Assert.Contains("coffer: warning (userkey-rotated): Your user key changed since this device last unlocked", error, StringComparison.Ordinal);
        var newKeyId = Pins(cli, proxy, account.Email)!.UserKeyId;
        Assert.NotEqual(oldKeyId, newKeyId);
        var (againCode, _, againError) = await cli.RunAsync("login", account.Email, "--passwordenv", "MP");
        Assert.Equal(0, againCode);
        Assert.DoesNotContain("userkey-rotated", againError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserKeyRotatedOnThisDevice_IsRepinnedWithoutAWarning()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var account = await PinnedAccountAsync(cli, proxy);
        await cli.OkAsync("account", "rotate-key", "--passwordenv", "MP");

        var (code, _, error) = await cli.RunAsync("login", account.Email, "--passwordenv", "MP");

        Assert.True(code == 0, error);
        Assert.DoesNotContain("userkey-rotated", error, StringComparison.Ordinal);
        Assert.NotNull(Pins(cli, proxy, account.Email)!.UserKeyId);
    }

    [Fact]
    public async Task ServerVersionOlderThanPinned_IsAWarningOnly()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var account = await PinnedAccountAsync(cli, proxy);
        var pinned = Pins(cli, proxy, account.Email)!.HighestServerVersion;

        proxy.Arm(new HostileScenario("config-old-version", HostileRule.Rewrite("GET", "^/api/config$", body =>
        {
            body!["version"] = "2023.1.0";
            return body;
        })));
        var (code, _, error) = await cli.RunAsync("sync");

        Assert.True(code == 0, error);
        Assert.Contains($"coffer: warning (server-version): The server reports version 2023.1.0, older than {pinned} seen before.", error, StringComparison.Ordinal);
        Assert.Equal(pinned, Pins(cli, proxy, account.Email)!.HighestServerVersion);
    }

    [Fact]
    public async Task EmailChangedOnThisDevice_CarriesThePinsToTheNewAddress()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        var account = await PinnedAccountAsync(cli, proxy);
        var target = $"moved-{Guid.NewGuid():N}@example.com";
        await cli.OkAsync("account", "email", target, "--passwordenv", "MP");

        proxy.Arm(AccountScenarios.KdfDowngrade());
        var (code, _, error) = await cli.RunAsync("login", target, "--passwordenv", "MP");

        AssertRefused(code, error, "kdf-downgrade");
        Assert.Equal(Pins(cli, proxy, account.Email)!.UserKeyId, Pins(cli, proxy, target)!.UserKeyId);
    }

    private static void AssertRefused(int code, string error, string check)
    {
        Assert.True(code == ExitCodes.ServerIntegrity, $"exit {code}: {error}");
        Assert.Contains($"coffer: server integrity check failed ({check}): ", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// The honest baseline (register, log in, log out), then the armed login. Asserts the refusal with
    /// <paramref name="check"/>, the pins unchanged and nothing secret sent; returns stderr.
    /// </summary>
    private static async Task<string> ArmedLoginAsync(CliRun cli, HostileProxy proxy, Func<TestAccount, HostileScenario> scenario, string check)
    {
        var account = await PinnedAccountAsync(cli, proxy);
        var pinsBefore = PinsText(cli, proxy, account.Email);
        await cli.OkAsync("logout");

        proxy.ClearEgress();
        proxy.Arm(scenario(account));
        var (code, _, error) = await cli.RunAsync("login", account.Email, "--passwordenv", "MP");

        AssertRefused(code, error, check);
        Assert.Equal(pinsBefore, PinsText(cli, proxy, account.Email));
        Assert.Empty(proxy.Leaks(account.Secrets()));
        return error;
    }

    /// <summary>An armed <c>coffer sync</c>: asserts the refusal with <paramref name="check"/> and that none of <paramref name="secrets"/> was sent.</summary>
    private static async Task ArmedSyncAsync(CliRun cli, HostileProxy proxy, HostileScenario scenario, string check, Secret[] secrets)
    {
        proxy.ClearEgress();
        proxy.Arm(scenario);
        var (code, _, error) = await cli.RunAsync("sync");
        proxy.Disarm();

        AssertRefused(code, error, check);
        Assert.Empty(proxy.Leaks(secrets));
    }

    /// <summary>Registers and logs in through the (unarmed) proxy: the honest baseline, which pins the account.</summary>
    private static async Task<TestAccount> PinnedAccountAsync(CliRun cli, HostileProxy proxy)
    {
        var email = await cli.LoginNewAccountAsync(proxy.BaseAddress, Password);
        Assert.NotNull(Pins(cli, proxy, email)?.Kdf);
        var masterKey = MasterKeys.DeriveMasterKey(Password, email, KdfConfig.DefaultPbkdf2);
        var protectedUserKey = Session(cli).ProtectedUserKey;
        using var userKey = UserKeys.Unlock(protectedUserKey, Password, email, KdfConfig.DefaultPbkdf2);
        return new TestAccount(email, masterKey, userKey.ToArray(), protectedUserKey);
    }

    private static SessionState Session(CliRun cli) => new ConfigDirectory(cli.ConfigDir).Read<SessionState>(StateFiles.Session)!;

    private static string? PinsText(CliRun cli, HostileProxy proxy, string email)
    {
        var path = Path.Combine(cli.ConfigDir, $"pins-{AccountPins.FileKey(proxy.BaseAddress.ToString(), email)}.json");
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    private static AccountPins? Pins(CliRun cli, HostileProxy proxy, string email) =>
        PinsText(cli, proxy, email) is { } text ? AccountPins.FromJson(text) : null;

    /// <summary>The key an item's fields are under: its own <c>key</c> when it has one, else the user key.</summary>
    private static SymmetricKey FieldKey(System.Text.Json.Nodes.JsonNode cipher, byte[] userKeyBytes)
    {
        using var userKey = new SymmetricKey(userKeyBytes);
        return cipher["key"] is { } wrapped && (string?)wrapped is { Length: > 0 } text
            ? new SymmetricKey(EncString.Parse(text).Decrypt(userKey))
            : new SymmetricKey(userKeyBytes);
    }

    private static string SessionKeyOf(string rawOutput) => rawOutput.Trim();

    private static string JwtPayload(string jwt)
    {
        var part = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(part.PadRight(part.Length + ((4 - (part.Length % 4)) % 4), '=')));
    }

    /// <summary>An account the harness made, with the keys it can derive because it knows the password.</summary>
    private sealed record TestAccount(string Email, byte[] MasterKey, byte[] UserKey, string ProtectedUserKey)
    {
        public Secret[] Secrets()
        {
            // The login hash a downgraded KDF would have produced: what BW07's server hopes to receive.
            var weakKey = Rfc2898DeriveBytes.Pbkdf2(Password, System.Text.Encoding.UTF8.GetBytes(Email), 5_000, HashAlgorithmName.SHA256, 32);
            return
            [
                Secret.Text("master password", Password),
                Secret.Key("master key", MasterKey),
                Secret.Key("user key", UserKey),
                Secret.Key("user encKey", UserKey.AsSpan(0, 32)),
                Secret.Text("login hash under PBKDF2 5,000", MasterKeys.HashMasterPassword(weakKey, Password)),
            ];
        }
    }
}
