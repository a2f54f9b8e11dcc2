using System.Text;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.TwoFactor;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Coffer.Server.Tests.TwoFactor.TwoFactorApi;

namespace Coffer.Server.Tests.TwoFactor;

/// <summary>
/// TOTP secrets are encrypted at rest (TwoFactor/TwoFactorSecrets): the database holds no usable second factor,
/// an older database's plaintext secrets are encrypted at the next start, and a value moved to another account's
/// row does not decrypt there.
/// </summary>
public sealed class TwoFactorSecretsAtRestTests(CofferFactory factory) : IClassFixture<CofferFactory>, IDisposable
{
    private readonly string scratch = CofferFactory.CreateTempFolder();

    public void Dispose() => CofferFactory.DeleteFolder(scratch);

    [Fact]
    public async Task EnabledTotp_TheStoredColumnIsEncrypted_AndLoginWithACodeWorks()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);

        var stored = await StoredSecretAsync(factory, account);

        Assert.StartsWith(TwoFactorSecrets.Prefix, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(key, stored, StringComparison.OrdinalIgnoreCase);
        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        await LoginAsync(account, "0", Code(factory, key)).ExpectLoginAsync();
    }

    [SqliteFact]
    [Trait("Provider", "SqliteOnly")]
    public async Task EnabledTotp_TheDatabaseFilesDoNotContainTheSecret()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);
        var secret = Coffer.Protocol.Crypto.Base32.Decode(key);

        // The main file and its write-ahead log, read as raw bytes while the server runs (WAL mode).
        foreach (var file in new[] { "coffer.db", "coffer.db-wal" }.Select(name => Path.Combine(factory.DataFolder, name)).Where(File.Exists))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var bytes = new MemoryStream();
            await stream.CopyToAsync(bytes);
            var content = bytes.ToArray();
            Assert.True(content.AsSpan().IndexOf(Encoding.ASCII.GetBytes(key)) < 0, $"{file} holds the Base32 secret");
            Assert.True(content.AsSpan().IndexOf(secret) < 0, $"{file} holds the raw secret");
        }
    }

    [Fact]
    public async Task PlaintextSecretOfAnOlderVersion_IsEncryptedAtTheNextStart_AndStillWorks()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);
        await SetStoredSecretAsync(factory, account, key);

        await using var restarted = CofferFactory.OnExistingFolder(factory.DataFolder);
        restarted.CreateClient().Dispose();

        var stored = await StoredSecretAsync(restarted, account);
        Assert.StartsWith(TwoFactorSecrets.Prefix, stored, StringComparison.Ordinal);
        FollowClock(restarted);
        await LoginAsync(account, "0", Code(restarted, key), via: restarted).ExpectLoginAsync();
    }

    [Fact]
    public async Task LegacyEncryption_RunConcurrently_EncryptsEachRowOnce_AndAgainChangesNothing()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);
        await SetStoredSecretAsync(factory, account, key);

        var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(EncryptLegacyAsync)));
        var again = await EncryptLegacyAsync();

        Assert.True(runs.Sum() >= 1, "no run encrypted the plaintext row");
        Assert.Equal(0, again);
        var stored = await StoredSecretAsync(factory, account);
        var secrets = factory.Services.GetRequiredService<TwoFactorSecrets>();
        Assert.Equal(Coffer.Protocol.Crypto.Base32.Decode(key), secrets.Unprotect(Guid.Parse(account.UserId), stored));
    }

    [Fact]
    public async Task SecretCopiedToAnotherAccount_DoesNotDecrypt_AndItsLoginIsRefusedWithout500()
    {
        var victim = await TestAccount.CreateAsync(factory);
        var victimKey = await EnableAsync(victim);
        var attacker = await TestAccount.CreateAsync(factory);
        await EnableAsync(attacker);
        await SetStoredSecretAsync(factory, attacker, await StoredSecretAsync(factory, victim));
        factory.Clock.Advance(TimeSpan.FromSeconds(30));

        await LoginAsync(attacker, "0", Code(factory, victimKey)).ExpectInvalidTokenAsync();
        // The victim's own login is untouched, and the recovery code still serves the other account.
        await LoginAsync(victim, "0", Code(factory, victimKey)).ExpectLoginAsync();
    }

    [Fact]
    public async Task SecretThatDoesNotDecrypt_CanStillBeRecoveredWithTheRecoveryCode()
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account);
        var recovery = await RecoveryCodeAsync(account);
        await SetStoredSecretAsync(factory, account, TwoFactorSecrets.Prefix + Convert.ToBase64String(new byte[48]));

        await LoginAsync(account, "8", recovery).ExpectLoginAsync();
    }

    [Fact]
    public async Task Restore_WithTheKey_KeepsTwoFactorLoginWorking()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);
        var file = Path.Combine(scratch, "backup.db");
        var keyFile = Path.Combine(Directory.CreateDirectory(Path.Combine(scratch, "keys")).FullName, "coffer.key");
        var backup = await ServerCommand.RunAsync(factory.DataFolder, ["backup", "--output", file, .. TestDatabase.IsShared ? [] : new[] { "--key-output", keyFile }]);
        Assert.True(backup.ExitCode == 0, backup.Output + backup.Error);
        var restoredFolder = Directory.CreateDirectory(Path.Combine(scratch, "restored")).FullName;
        if (TestDatabase.IsShared)
        {
            // PostgreSQL and MySQL nodes take the key from configuration (the tests keep it in the folder).
            File.Copy(Path.Combine(factory.DataFolder, "jwt-signing.key"), Path.Combine(restoredFolder, "jwt-signing.key"));
        }

        var restore = await ServerCommand.RunAsync(restoredFolder, ["restore", "--input", file, .. TestDatabase.IsShared ? [] : new[] { "--key", keyFile }]);
        Assert.True(restore.ExitCode == 0, restore.Output + restore.Error);

        await using var restored = CofferFactory.OnExistingFolder(restoredFolder);
        FollowClock(restored);
        await LoginAsync(account, "0", Code(restored, key), via: restored).ExpectLoginAsync();
    }

    /// <summary>Puts <paramref name="other"/>'s clock one step past this server's, whose clock the enabling step followed.</summary>
    private void FollowClock(CofferFactory other) =>
        other.Clock.Advance(factory.Clock.GetUtcNow() - other.Clock.GetUtcNow() + TimeSpan.FromSeconds(30));

    private async Task<int> EncryptLegacyAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TwoFactorSecrets>().EncryptLegacyAsync(scope.ServiceProvider.GetRequiredService<CofferDb>());
    }

    /// <summary>The column as stored, read through a plain connection (no server code in between).</summary>
    private static async Task<string> StoredSecretAsync(CofferFactory server, TestAccount account)
    {
        using var connection = server.OpenDatabase();
        await using var command = connection.CreateCommand();
        command.CommandText = """SELECT "TotpSecret" FROM users WHERE "Id" = @id""";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@id";
        // EF keeps a Guid as uuid on PostgreSQL, as lower-case char(36) on MySQL and as upper-case text on SQLite.
        parameter.Value = TestDatabase.Provider switch
        {
            DatabaseKind.Postgres => Guid.Parse(account.UserId),
            DatabaseKind.MySql => Guid.Parse(account.UserId).ToString(),
            _ => account.UserId.ToUpperInvariant(),
        };
        command.Parameters.Add(parameter);
        return Assert.IsType<string>(await command.ExecuteScalarAsync());
    }

    /// <summary>Writes the column directly, as an older version (or someone with the database) would have.</summary>
    private static Task SetStoredSecretAsync(CofferFactory server, TestAccount account, string value) =>
        WithDbAsync(server, db => db.Users.Where(u => u.Id == Guid.Parse(account.UserId)).ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpSecret, value)));
}
