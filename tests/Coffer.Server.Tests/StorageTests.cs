using System.Text;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// What lands in storage: the database (the SQLite file in the data folder, or the PostgreSQL tables) holds only a
/// re-hash of the login hash (§2.2), never the value a client sends as its password.
/// </summary>
public sealed class StorageTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [SqliteFact]
    [Trait("Provider", "SqliteOnly")]
    public async Task DataFolder_HoldsARealSqliteFile()
    {
        await TestAccount.CreateAsync(factory);

        var sqlite = (await StoredAsync()).Where(f => f.Bytes.AsSpan().StartsWith("SQLite format 3\0"u8)).ToList();

        Assert.NotEmpty(sqlite);
    }

    [Fact]
    public async Task Database_DoesNotContainThePlaintextMasterPasswordHash()
    {
        var account = await TestAccount.CreateAsync(factory);
        var legacy = Credentials.New();
        using (var response = await factory.CreateClient().PostJsonAsync(IdentityApi.LegacyRegisterUrl, Payloads.LegacyRegister(legacy)))
        {
            await response.ExpectSuccessAsync();
        }

        // Exercise every path that touches the hash: login, a failed login, a refresh.
        await IdentityApi.LoginAsync(factory.CreateClient(), legacy, Fake.DeviceIdentifier());
        using (await IdentityApi.PasswordGrantAsync(factory.CreateClient(), account.Email, Fake.MasterPasswordHash(), Fake.DeviceIdentifier()))
        {
        }

        using (await IdentityApi.RefreshAsync(factory.CreateClient(), account.RefreshToken))
        {
        }

        foreach (var hash in new[] { account.Credentials.MasterPasswordHash, legacy.MasterPasswordHash })
        {
            var needles = new[]
            {
                Encoding.UTF8.GetBytes(hash),
                Encoding.Unicode.GetBytes(hash),
                Convert.FromBase64String(hash),
                Encoding.UTF8.GetBytes(Convert.ToHexString(Convert.FromBase64String(hash))),
                Encoding.UTF8.GetBytes(Convert.ToHexStringLower(Convert.FromBase64String(hash))),
            };
            foreach (var (name, bytes) in await StoredAsync())
            {
                foreach (var needle in needles)
                {
                    Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{name} contains the master password hash");
                }
            }
        }
    }

    [Fact]
    public async Task Database_HoldsAPhcStringForEachLoginHash()
    {
        await TestAccount.CreateAsync(factory);

        // PHC string format: $<algorithm>$<parameters>$<salt>$<hash>.
        var phc = new System.Text.RegularExpressions.Regex(@"\$(argon2id|pbkdf2-sha(256|512))(\$v=\d+)?\$[a-z0-9=,]+\$[A-Za-z0-9+/]{16,}\$[A-Za-z0-9+/]{32,}");
        Assert.Contains(await StoredAsync(), stored => phc.IsMatch(Encoding.Latin1.GetString(stored.Bytes)));
    }

    [Fact]
    public async Task Database_DoesNotContainIssuedTokensInClear()
    {
        var account = await TestAccount.CreateAsync(factory);
        using var refresh = await IdentityApi.RefreshAsync(factory.CreateClient(), account.RefreshToken);
        var rotated = (await refresh.ExpectObjectAsync()).RequireString("refresh_token");

        var stored = await StoredAsync();
        foreach (var token in new[] { account.RefreshToken, rotated, account.AccessToken })
        {
            var needle = Encoding.UTF8.GetBytes(token);
            Assert.DoesNotContain(stored, s => s.Bytes.AsSpan().IndexOf(needle) >= 0);
        }
    }

    [Fact]
    public async Task Database_StillHoldsTheVaultData()
    {
        // Guards the test above: searching the files must be able to find something the server stores verbatim.
        var account = await TestAccount.CreateAsync(factory);
        var folder = await account.CreateFolderAsync();
        var name = Encoding.UTF8.GetBytes(folder.RequireString("name"));

        Assert.Contains(await StoredAsync(), stored => stored.Bytes.AsSpan().IndexOf(name) >= 0);
    }

    [Fact]
    public async Task Account_SurvivesAServerRestartOnTheSameDataFolder()
    {
        var folder = CofferFactory.CreateTempFolder();
        try
        {
            var account = Credentials.New();
            await using (var first = CofferFactory.OnExistingFolder(folder))
            {
                await IdentityApi.RegisterAsync(first.CreateClient(), account);
            }

            await using var second = CofferFactory.OnExistingFolder(folder);
            var token = await IdentityApi.LoginAsync(second.CreateClient(), account, Fake.DeviceIdentifier());
            Assert.Equal(account.UserKey, (string?)token.Cli("Key"));
        }
        finally
        {
            CofferFactory.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task Tokens_SurviveAServerRestartOnTheSameDataFolder()
    {
        // The signing secret is generated on first run and kept in the data folder; were it regenerated, every
        // bw session would get 401 twice after a restart and log itself out (§1.3).
        var folder = CofferFactory.CreateTempFolder();
        try
        {
            string accessToken;
            string refreshToken;
            await using (var first = CofferFactory.OnExistingFolder(folder))
            {
                var account = await TestAccount.CreateAsync(first);
                accessToken = account.AccessToken;
                refreshToken = account.RefreshToken;
            }

            await using var second = CofferFactory.OnExistingFolder(folder);
            using var client = second.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
            using var sync = await client.GetAsync("/api/sync?excludeDomains=true");
            await sync.ExpectStatusAsync(System.Net.HttpStatusCode.OK);
            using var refresh = await IdentityApi.RefreshAsync(second.CreateClient(), refreshToken);
            await refresh.ExpectStatusAsync(System.Net.HttpStatusCode.OK);
        }
        finally
        {
            CofferFactory.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task Prelogin_UnknownEmails_AnswerTheSameAfterARestart()
    {
        // Were the decoy settings to change with a restart, comparing answers across restarts would tell unknown
        // e-mails from registered ones. Twenty e-mails make a chance match of every answer negligible.
        var folder = CofferFactory.CreateTempFolder();
        var emails = Enumerable.Range(0, 20).Select(_ => Fake.Email()).ToList();
        try
        {
            List<string> before;
            await using (var first = CofferFactory.OnExistingFolder(folder))
            {
                before = await PreloginAllAsync(first, emails);
            }

            await using var second = CofferFactory.OnExistingFolder(folder);
            Assert.Equal(before, await PreloginAllAsync(second, emails));
        }
        finally
        {
            CofferFactory.DeleteFolder(folder);
        }
    }

    private static async Task<List<string>> PreloginAllAsync(CofferFactory server, IEnumerable<string> emails)
    {
        var answers = new List<string>();
        foreach (var email in emails)
        {
            answers.Add((await IdentityApi.PreloginAsync(server.CreateClient(), email)).ToJsonString());
        }

        return answers;
    }

    private Task<List<(string Name, byte[] Bytes)>> StoredAsync() => TestDatabase.ContentsAsync(factory.DataFolder);
}
