using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// The single global audit chain of earlier releases, migrated to per-account chains: it stays verifiable as the
/// sealed legacy chain (never re-hashed, so a broken one stays broken), the first checkpoint records its head, and an
/// altered or deleted legacy row is reported. On a database the release at ff54c46 made (Assets/release-ff54c46, a
/// SQLite file), and on the run's provider with legacy events written in the old form before migrating up.
/// </summary>
public sealed class AuditMigrationTests
{
    private const string LegacyChain = "ffffffff-ffff-ffff-ffff-ffffffffffff";
    private const string LastMigrationBeforeChains = "20261207000000_MailAndSecurityKeys";

    [Fact]
    public async Task ReleaseDatabase_Migrated_VerifiesIntact_AsTheLegacyChain_AndTheFirstCheckpointRecordsItsHead()
    {
        var folder = ReleaseFolder();
        try
        {
            await using var factory = OnRelease(folder);
            var checkpoints = factory.Services.GetRequiredService<AuditCheckpointJob>();
            var before = await VerifyAsync(factory);
            await checkpoints.RunOnceAsync(default);

            Assert.True(before.Intact, before.FirstBroken?.ToString());
            Assert.Equal(17, before.Checked);
            Assert.Equal(1, before.Chains);
            await using var scope = factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
            var head = await db.AuditCheckpointHeads.SingleAsync();
            Assert.Equal((Guid.AllBitsSet, 17L, 17L), (head.ChainId, head.Position, head.EventId));
            var user = await TestAccount.CreateAsync(factory);
            var added = await db.AuditEvents.AsNoTracking().Where(e => e.UserId == Guid.Parse(user.UserId)).OrderBy(e => e.Sequence).FirstAsync();
            Assert.True(added.Sequence > 17, $"sequence {added.Sequence}");
            Assert.Equal((Guid.Parse(user.UserId), 1L), (added.ChainId, added.Position));
            var after = await VerifyAsync(factory);
            Assert.True(after.Intact, after.FirstBroken?.ToString());
            Assert.Equal(1, after.Checkpoint);
        }
        finally
        {
            CofferFactory.DeleteFolder(folder);
        }
    }

    [Theory]
    [InlineData("UPDATE audit_events SET \"Detail\" = 'edited' WHERE \"Sequence\" = 9", "contents do not match")]
    [InlineData("UPDATE audit_events SET \"Date\" = '2026-01-01 00:00:00' WHERE \"Sequence\" = 9", "contents do not match")]
    [InlineData("UPDATE audit_events SET \"OrganizationId\" = NULL WHERE \"Sequence\" = 12", "contents do not match")]
    [InlineData("DELETE FROM audit_events WHERE \"Sequence\" = 9", "position 9 is missing")]
    public async Task ReleaseDatabase_WithALegacyRowAlteredOrDeleted_ReportsThatRow(string tamper, string reason)
    {
        var folder = ReleaseFolder();
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(folder, "coffer.db")};Pooling=False"))
        {
            await db.OpenAsync();
            Assert.Equal(1, await db.ExecuteAsync(tamper));
        }

        try
        {
            await using var factory = OnRelease(folder);
            var result = await VerifyAsync(factory);
            // A checkpoint over the legacy chain's head never launders it: the altered row stays reported.
            await factory.Services.GetRequiredService<AuditCheckpointJob>().RunOnceAsync(default);
            var afterCheckpoint = await VerifyAsync(factory);

            foreach (var report in new[] { result, afterCheckpoint })
            {
                Assert.False(report.Intact);
                Assert.Equal(LegacyChain, report.FirstBroken!.Chain);
                Assert.Equal(tamper.Contains("= 12", StringComparison.Ordinal) ? 12 : 9, report.FirstBroken.Position);
                Assert.Contains(reason, report.FirstBroken.Reason, StringComparison.Ordinal);
            }
        }
        finally
        {
            CofferFactory.DeleteFolder(folder);
        }
    }

    // MySQL's schema starts at the per-account chains (its one migration came later): there is nothing to migrate up
    // from, so this runs on SQLite and PostgreSQL only, as two facts with their providers' traits.
    [SqliteFact]
    [Trait("Provider", "SqliteOnly")]
    public Task LegacyEventsWrittenBeforeTheMigration_VerifyAfterIt_AndTheirNewestIsCoveredByTheFirstCheckpoint() => LegacyEventsMigratedAsync();

    [PostgresFact]
    [Trait("Provider", "PostgresOnly")]
    public Task LegacyEventsWrittenBeforeTheMigrationOnPostgres_VerifyAfterIt_AndTheirNewestIsCoveredByTheFirstCheckpoint() => LegacyEventsMigratedAsync();

    private static async Task LegacyEventsMigratedAsync()
    {
        var folder = CofferFactory.CreateTempFolder();
        try
        {
            var key = Hosting.DataFolder.ReadOrCreateSecret(folder, "jwt-signing.key", 64);
            await using (var old = OpenContext(folder))
            {
                await old.GetInfrastructure().GetRequiredService<IMigrator>().MigrateAsync(LastMigrationBeforeChains);
            }

            using (var db = TestDatabase.Open(folder))
            {
                await WriteLegacyEventsAsync(db, key, 6);
            }

            await using var factory = CofferFactory.OnExistingFolder(folder);
            var migrated = await VerifyAsync(factory);
            await factory.Services.GetRequiredService<AuditCheckpointJob>().RunOnceAsync(default);
            using (var db = TestDatabase.Open(folder))
            {
                Assert.Equal(1, await db.ExecuteAsync("DELETE FROM audit_events WHERE \"Sequence\" = 6"));
            }

            var truncated = await VerifyAsync(factory);

            Assert.True(migrated.Intact, migrated.FirstBroken?.ToString());
            Assert.Equal((6L, 1L), (migrated.Checked, migrated.Chains));
            Assert.False(truncated.Intact);
            Assert.Equal(LegacyChain, truncated.FirstBroken!.Chain);
            Assert.Contains("newest events were removed", truncated.FirstBroken.Reason, StringComparison.Ordinal);
        }
        finally
        {
            CofferFactory.DeleteFolder(folder);
        }
    }

    /// <summary>
    /// Events in the global chain's form as the release at ff54c46 wrote them (Audit/AuditChain.cs there): sequence
    /// 1…n, <c>HMAC(HKDF(key, "coffer audit chain"), previous + "\n" + fields joined by "\n")</c>, the organization
    /// fields appended only when one is set. Written independently of the server's code on purpose.
    /// </summary>
    private static async Task WriteLegacyEventsAsync(DbConnection db, byte[] signingKey, int count)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, signingKey, 32, info: "coffer audit chain"u8.ToArray());
        var user = Guid.NewGuid();
        var organization = Guid.NewGuid();
        var previous = AuditChain.GenesisHash;
        for (var sequence = 1L; sequence <= count; sequence++)
        {
            var date = new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc).AddSeconds(sequence);
            var (type, userId, orgId) = sequence switch
            {
                1 => (1000, (Guid?)user, (Guid?)null),
                3 => (1300, user, organization),
                5 => (9104, null, null),
                _ => (1100, user, null),
            };
            var canonical = string.Join('\n', sequence.ToString(CultureInfo.InvariantCulture), date.Ticks.ToString(CultureInfo.InvariantCulture),
                type.ToString(CultureInfo.InvariantCulture), userId?.ToString() ?? "", "", "", "", "", "127.0.0.1", "");
            if (orgId is not null)
            {
                canonical = string.Join('\n', canonical, orgId.ToString(), "", "", "", "");
            }

            var hash = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(previous + "\n" + canonical)));
            Assert.Equal(1, await db.ExecuteAsync(
                """
                INSERT INTO audit_events ("Sequence", "Date", "Type", "UserId", "OrganizationId", "IpAddress", "PreviousHash", "Hash")
                VALUES (@s, @d, @t, @u, @o, '127.0.0.1', @p, @h)
                """,
                ("@s", sequence), ("@d", date), ("@t", type), ("@u", Stored(userId)), ("@o", Stored(orgId)), ("@p", previous), ("@h", hash)));
            previous = hash;
        }
    }

    /// <summary>A GUID parameter as each provider stores it (EF Core keeps upper-case text in SQLite).</summary>
    private static object Stored(Guid? id) => id is not { } g ? DBNull.Value : TestDatabase.IsPostgres ? g : g.ToString().ToUpperInvariant();

    private static CofferDb OpenContext(string folder) => TestDatabase.IsPostgres
        ? new PostgresCofferDb(new DbContextOptionsBuilder<PostgresCofferDb>().UseNpgsql(TestDatabase.SettingsFor(folder)["Coffer:Database"]).Options)
        : new SqliteCofferDb(new DbContextOptionsBuilder<SqliteCofferDb>().UseSqlite($"Data Source={Path.Combine(folder, "coffer.db")};Pooling=False").Options);

    /// <summary>A fresh data folder holding a copy of the release's database and key.</summary>
    private static string ReleaseFolder()
    {
        var folder = CofferFactory.CreateTempFolder();
        foreach (var file in new[] { "coffer.db", "jwt-signing.key" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Assets", "release-ff54c46", file), Path.Combine(folder, file));
        }

        return folder;
    }

    /// <summary>A server on the copy; the file is SQLite whatever provider the run uses.</summary>
    private static CofferFactory OnRelease(string folder)
    {
        var factory = CofferFactory.OnExistingFolder(folder);
        factory.Settings["Coffer:Database"] = "";
        return factory;
    }

    private static async Task<AuditVerification> VerifyAsync(CofferFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        return await AuditVerifier.VerifyAsync(services.GetRequiredService<CofferDb>(), services.GetRequiredService<AuditChain>(),
            services.GetRequiredService<AuditCheckpoints>(), null, null, default);
    }
}
