using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// The audit log's hash chain seen from outside: rows edited or removed directly in the database are found by
/// <c>/admin/api/audit/verify</c> and by <c>coffer-server audit verify</c>; and no row holds a secret.
/// Each test tampers with its own server, since a broken chain stays broken.
/// </summary>
public sealed class AuditTests
{
    [Theory]
    [InlineData("UPDATE audit_events SET \"Detail\" = 'edited' WHERE \"Sequence\" = @s")]
    [InlineData("UPDATE audit_events SET \"Type\" = 1000 WHERE \"Sequence\" = @s")]
    [InlineData("UPDATE audit_events SET \"IpAddress\" = '203.0.113.9' WHERE \"Sequence\" = @s")]
    public async Task AuditChain_TamperedInDatabase_IsDetected(string tamper)
    {
        await using var factory = new CofferFactory();
        var (admin, target) = await MakeHistoryAsync(factory);
        var before = await VerifyAsync(admin);
        Assert.True((bool?)before["intact"]);

        using (var db = factory.OpenDatabase())
        {
            await Execute(db, tamper, target);
        }

        var after = await VerifyAsync(admin);
        Assert.False((bool?)after["intact"]);
        Assert.Equal(target, (long?)after["firstBrokenSequence"]);
        Assert.True((long?)after["checked"] < (long?)before["checked"]);
        Assert.Contains("hash", (string?)after["reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditChain_RowDeleted_IsDetectedAsMissing()
    {
        await using var factory = new CofferFactory();
        var (admin, target) = await MakeHistoryAsync(factory);
        long position;
        using (var db = factory.OpenDatabase())
        {
            position = await db.ScalarAsync($"SELECT \"Position\" FROM audit_events WHERE \"Sequence\" = {target}");
            await Execute(db, "DELETE FROM audit_events WHERE \"Sequence\" = @s", target);
        }

        var result = await VerifyAsync(admin);

        Assert.False((bool?)result["intact"]);
        Assert.Equal(position, (long?)result["position"]);
        Assert.Null((long?)result["firstBrokenSequence"]);
        Assert.Contains($"position {position} is missing", (string?)result["reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditVerifyCommand_ExitsZeroWhileIntact_AndOneOnceTampered()
    {
        await using var factory = new CofferFactory();
        var (_, target) = await MakeHistoryAsync(factory);

        var good = await ServerCommand.RunAsync(factory.DataFolder, "audit", "verify");
        using (var db = factory.OpenDatabase())
        {
            await Execute(db, "UPDATE audit_events SET \"Detail\" = 'edited' WHERE \"Sequence\" = @s", target);
        }

        var bad = await ServerCommand.RunAsync(factory.DataFolder, "audit", "verify");

        Assert.True(good.ExitCode == 0, good.Output + good.Error);
        Assert.Contains("intact", good.Output, StringComparison.Ordinal);
        Assert.True(bad.ExitCode == 1, bad.Output + bad.Error);
        Assert.Contains($"broken at sequence {target}", bad.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditEvents_NeverHoldPasswordHashesTokensOrEncStrings()
    {
        await using var factory = new CofferFactory();
        var admin = await factory.CreateAdminAsync();
        var user = await TestAccount.CreateAsync(factory);
        var cipher = await user.CreateCipherAsync();
        var wrongPassword = Fake.MasterPasswordHash();
        using (var failed = await IdentityApi.PasswordGrantAsync(factory.Anonymous(), user.Email, wrongPassword, user.DeviceIdentifier))
        {
            await failed.ExpectObjectAsync(HttpStatusCode.BadRequest);
        }

        var invite = await admin.InviteAsync(Fake.Email());
        using (var logout = await admin.Client.PostAsync($"/admin/api/users/{user.UserId}/logout", null))
        {
            await logout.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        var secrets = new[] { user.Credentials.MasterPasswordHash, wrongPassword, user.Credentials.UserKey, user.Credentials.PrivateKey, invite, user.AccessToken, user.RefreshToken, cipher.RequireString("name") };
        using var db = factory.OpenDatabase();
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT * FROM audit_events";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var value = reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
                Assert.DoesNotMatch(@"^\d\.[A-Za-z0-9+/=]+\|", value);
                Assert.DoesNotContain("$argon2", value, StringComparison.Ordinal);
                foreach (var secret in secrets)
                {
                    Assert.DoesNotContain(secret, value, StringComparison.Ordinal);
                }
            }
        }

        Assert.True(rows >= 8, $"only {rows} events");
    }

    /// <summary>An admin and a few events after which one in the middle is the target.</summary>
    private static async Task<(TestAccount Admin, long Target)> MakeHistoryAsync(CofferFactory factory)
    {
        var admin = await factory.CreateAdminAsync();
        var user = await TestAccount.CreateAsync(factory);
        await user.CreateCipherAsync();
        await user.CreateCipherAsync();
        await user.CreateCipherAsync();
        using var db = factory.OpenDatabase();
        var count = await db.ScalarAsync("SELECT COUNT(*) FROM audit_events");
        Assert.True(count >= 6, $"only {count} events");
        return (admin, count - 1);
    }

    /// <summary>GET /admin/api/audit/verify as <paramref name="admin"/>.</summary>
    internal static async Task<JsonObject> VerifyAsync(TestAccount admin)
    {
        using var response = await admin.Client.GetAsync("/admin/api/audit/verify");
        return await response.ExpectObjectAsync();
    }

    private static async Task Execute(DbConnection db, string sql, long sequence) =>
        Assert.Equal(1, await db.ExecuteAsync(sql, ("@s", sequence)));
}
