using System.Data.Common;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.Organizations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// The audit log's chains (one per account, per organization, one for the server) and checkpoints, seen from outside:
/// every column edited in the database is found and named by chain, position and event; removing a chain's newest
/// events after a checkpoint is found; a row that cannot be read is reported, not thrown. Each test tampers with its
/// own server and runs on the provider the run asks for.
/// </summary>
public sealed class AuditChainTests
{
    [Theory]
    [InlineData("\"Date\" = @date", "hash")]
    [InlineData("\"Type\" = \"Type\" + 1", "hash")]
    [InlineData("\"UserId\" = NULL", "hash")]
    [InlineData("\"ActingUserId\" = \"ChainId\"", "hash")]
    [InlineData("\"DeviceId\" = \"ChainId\"", "hash")]
    [InlineData("\"DeviceType\" = COALESCE(\"DeviceType\", 0) + 1", "hash")]
    [InlineData("\"CipherId\" = NULL", "hash")]
    [InlineData("\"OrganizationId\" = \"ChainId\"", "hash")]
    [InlineData("\"CollectionId\" = \"ChainId\"", "hash")]
    [InlineData("\"MembershipId\" = \"ChainId\"", "hash")]
    [InlineData("\"GroupId\" = \"ChainId\"", "hash")]
    [InlineData("\"PolicyId\" = \"ChainId\"", "hash")]
    [InlineData("\"IpAddress\" = '203.0.113.9'", "hash")]
    [InlineData("\"Detail\" = 'edited'", "hash")]
    [InlineData("\"PreviousHash\" = \"Hash\"", "link")]
    [InlineData("\"Hash\" = \"PreviousHash\"", "hash")]
    public async Task Verify_ColumnEditedInDatabase_NamesThatEventsChainPositionAndId(string set, string reason)
    {
        await using var factory = new CofferFactory();
        var (admin, target) = await MakeHistoryAsync(factory);

        using (var db = factory.OpenDatabase())
        {
            Assert.Equal(1, await db.ExecuteAsync($"UPDATE audit_events SET {set} WHERE \"Sequence\" = @s", ("@s", target.Sequence), ("@date", new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc))));
        }

        var result = await VerifyAsync(admin);
        Assert.False((bool?)result["intact"], result.ToJsonString());
        Assert.Equal(target.Sequence, (long?)result["firstBrokenSequence"]);
        Assert.Equal(target.Position, (long?)result["position"]);
        Assert.Equal(target.Chain, Guid.Parse((string)result["chain"]!));
        Assert.Contains(reason, (string?)result["reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_PositionEdited_ReportsTheGapItLeaves()
    {
        await using var factory = new CofferFactory();
        var (admin, target) = await MakeHistoryAsync(factory);
        using (var db = factory.OpenDatabase())
        {
            await db.ExecuteAsync("UPDATE audit_events SET \"Position\" = \"Position\" + 1000 WHERE \"Sequence\" = @s", ("@s", target.Sequence));
        }

        var result = await VerifyAsync(admin);

        Assert.False((bool?)result["intact"]);
        Assert.Equal(target.Position, (long?)result["position"]);
        Assert.Equal(target.Chain, Guid.Parse((string)result["chain"]!));
        Assert.Contains($"position {target.Position} is missing", (string?)result["reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_EventMovedToAnotherChain_IsDetected()
    {
        await using var factory = new CofferFactory();
        var (admin, target) = await MakeHistoryAsync(factory);
        using (var db = factory.OpenDatabase())
        {
            // Into the admin's chain, at its next position: the hash covers the chain, so the row no longer matches.
            var chain = await db.ScalarTextAsync($"SELECT \"ChainId\" FROM audit_events WHERE \"UserId\" = '{Id(admin.UserId)}' AND \"OrganizationId\" IS NULL LIMIT 1");
            await db.ExecuteAsync(
                $"UPDATE audit_events SET \"ChainId\" = (SELECT \"ChainId\" FROM audit_events WHERE \"Sequence\" = @a), \"Position\" = (SELECT MAX(\"Position\") + 1 FROM audit_events WHERE \"ChainId\" = '{chain}') WHERE \"Sequence\" = @s",
                ("@s", target.Sequence), ("@a", await db.ScalarAsync($"SELECT MIN(\"Sequence\") FROM audit_events WHERE \"ChainId\" = '{chain}'")));
        }

        var result = await VerifyAsync(admin);

        Assert.False((bool?)result["intact"], result.ToJsonString());
    }

    [Fact]
    public async Task Verify_NewestEventDeletedAfterACheckpoint_IsDetected_AsTheLastRowOfTheTable()
    {
        await using var factory = new CofferFactory();
        var (admin, _) = await MakeHistoryAsync(factory);
        var first = await ServerCommand.RunAsync(factory.DataFolder, "audit", "verify");
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.Contains("Wrote checkpoint 1", first.Output, StringComparison.Ordinal);

        // What was tried on the single chain: delete the last row of audit_events.
        using (var db = factory.OpenDatabase())
        {
            Assert.Equal(1, await db.ExecuteAsync("DELETE FROM audit_events WHERE \"Sequence\" = (SELECT MAX(\"Sequence\") FROM audit_events)"));
        }

        var command = await ServerCommand.RunAsync(factory.DataFolder, "audit", "verify");
        var api = await VerifyAsync(admin);

        Assert.True(command.ExitCode == 1, command.Output + command.Error);
        Assert.Contains("newest events were removed", command.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrote checkpoint", command.Output, StringComparison.Ordinal);
        Assert.False((bool?)api["intact"]);
        Assert.Equal(1, (long?)api["checkpoint"]);
        Assert.Contains("newest events were removed", (string?)api["reason"], StringComparison.Ordinal);
        using var check = factory.OpenDatabase();
        Assert.Equal(1, await check.ScalarAsync("SELECT COUNT(*) FROM audit_checkpoints"));
    }

    [Fact]
    public async Task CheckpointJob_AfterTheNewestEventWasDeleted_WritesNoCheckpoint()
    {
        await using var factory = new CofferFactory();
        await MakeHistoryAsync(factory);
        var job = factory.Services.GetRequiredService<AuditCheckpointJob>();
        await job.RunOnceAsync(default);
        using var db = factory.OpenDatabase();
        Assert.Equal(1, await db.ExecuteAsync("DELETE FROM audit_events WHERE \"Sequence\" = (SELECT MAX(\"Sequence\") FROM audit_events)"));

        await job.RunOnceAsync(default);

        Assert.Equal(1, await db.ScalarAsync("SELECT COUNT(*) FROM audit_checkpoints"));
    }

    [Theory]
    [InlineData("UserId", "'not-a-guid'")]
    [InlineData("Date", "'yesterday'")]
    [InlineData("ChainId", "'00000000-not-a-chain'")]
    public async Task Verify_RowThatCannotBeRead_IsReportedAsTheFirstBrokenLink(string column, string value)
    {
        await using var factory = new CofferFactory();
        var (admin, target) = await MakeHistoryAsync(factory);
        using (var db = factory.OpenDatabase())
        {
            if (TestDatabase.IsPostgres)
            {
                // PostgreSQL checks types; someone with the database can still change the column's type first.
                await db.ExecuteAsync($"ALTER TABLE audit_events ALTER COLUMN \"{column}\" TYPE text");
            }
            else if (TestDatabase.IsMySql)
            {
                // So does MySQL in strict mode; varchar, not text, as ChainId is in an index.
                await db.ExecuteAsync($"ALTER TABLE audit_events MODIFY \"{column}\" varchar(64) NULL");
            }

            Assert.Equal(1, await db.ExecuteAsync($"UPDATE audit_events SET \"{column}\" = {value} WHERE \"Sequence\" = @s", ("@s", target.Sequence)));
        }

        var command = await ServerCommand.RunAsync(factory.DataFolder, "audit", "verify");
        var result = await VerifyAsync(admin);

        Assert.True(command.ExitCode == 1, command.Output + command.Error);
        Assert.Contains($"sequence {target.Sequence}", command.Output, StringComparison.Ordinal);
        Assert.Contains($"its {column} is not", command.Output, StringComparison.Ordinal);
        Assert.False((bool?)result["intact"]);
        Assert.Equal(target.Sequence, (long?)result["firstBrokenSequence"]);
        Assert.Contains("cannot be read", (string?)result["reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyWithCheckpointFile_ProvesItsHeads_AndRefusesAForgedOrDroppedCheckpoint()
    {
        await using var factory = new CofferFactory();
        var file = Path.Combine(factory.DataFolder, "checkpoints.jsonl");
        factory.Settings["Coffer:Audit:CheckpointFile"] = file;
        await MakeHistoryAsync(factory);
        await factory.Services.GetRequiredService<AuditCheckpointJob>().RunOnceAsync(default);
        var line = Assert.Single(await File.ReadAllLinesAsync(file));
        Assert.Equal(1, (long?)JsonNode.Parse(line)!["number"]);

        var good = await ServerCommand.RunAsync(factory.DataFolder, "audit", "verify", "--checkpoint", file);
        var forgedFile = Path.Combine(factory.DataFolder, "forged.jsonl");
        var forged = JsonNode.Parse(line)!.AsObject();
        forged["events"] = (long)forged["events"]! - 1;
        await File.WriteAllTextAsync(forgedFile, forged.ToJsonString() + "\n");
        var refused = await ServerCommand.RunAsync(factory.DataFolder, "audit", "verify", "--checkpoint", forgedFile);
        using (var db = factory.OpenDatabase())
        {
            // Someone with the database removes the newest event and every checkpoint that recorded it.
            await db.ExecuteAsync("DELETE FROM audit_events WHERE \"Sequence\" = (SELECT MAX(\"Sequence\") FROM audit_events)");
            await db.ExecuteAsync("DELETE FROM audit_checkpoint_heads");
            await db.ExecuteAsync("DELETE FROM audit_checkpoints");
        }

        var dropped = await ServerCommand.RunAsync(factory.DataFolder, "audit", "verify", "--checkpoint", file);

        Assert.True(good.ExitCode == 0, good.Output + good.Error);
        Assert.Contains("against checkpoint 1: intact", good.Output, StringComparison.Ordinal);
        Assert.True(refused.ExitCode == 1, refused.Output + refused.Error);
        Assert.Contains("HMAC does not match", refused.Output, StringComparison.Ordinal);
        Assert.True(dropped.ExitCode == 1, dropped.Output + dropped.Error);
        Assert.Contains("checkpoint 1 is missing from the database", dropped.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckpointJob_WritesOnlyWhenAChainMoved_RecordingOnlyTheChainsThatMoved()
    {
        await using var factory = new CofferFactory();
        var user = await TestAccount.CreateAsync(factory);
        await user.CreateCipherAsync();
        var job = factory.Services.GetRequiredService<AuditCheckpointJob>();

        await job.RunOnceAsync(default);
        await job.RunOnceAsync(default);
        using var db = factory.OpenDatabase();
        var afterTwoRuns = await db.ScalarAsync("SELECT COUNT(*) FROM audit_checkpoints");
        var chains = await db.ScalarAsync("SELECT COUNT(*) FROM audit_checkpoint_heads");
        await user.CreateCipherAsync();
        await job.RunOnceAsync(default);

        Assert.Equal(1, afterTwoRuns);
        Assert.Equal(await db.ScalarAsync("SELECT COUNT(DISTINCT \"ChainId\") FROM audit_events"), chains);
        Assert.Equal(2, await db.ScalarAsync("SELECT COUNT(*) FROM audit_checkpoints"));
        Assert.Equal(1, await db.ScalarAsync("SELECT COUNT(*) FROM audit_checkpoint_heads WHERE \"CheckpointNumber\" = 2"));
        var verify = await ServerCommand.RunAsync(factory.DataFolder, "audit", "verify");
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        Assert.Contains("against checkpoint 2: intact", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckpointJob_RunsOnItsInterval()
    {
        await using var factory = new CofferFactory();
        factory.Settings["Coffer:Audit:CheckpointInterval"] = "00:00:01";
        var user = await TestAccount.CreateAsync(factory);
        await user.CreateCipherAsync();
        using var db = factory.OpenDatabase();
        var written = 0L;
        for (var i = 0; i < 60 && written == 0; i++)
        {
            await Task.Delay(500);
            written = await db.ScalarAsync("SELECT COUNT(*) FROM audit_checkpoints");
        }

        Assert.True(written >= 1, "no checkpoint within 30 s");
    }

    [Fact]
    public async Task CheckpointExport_PostsEachCheckpointToTheUrl_AndRetriesAFailedPostOnTheNextRun()
    {
        await using var receiver = await CheckpointReceiver.StartAsync(failFirst: 1);
        await using var factory = new CofferFactory();
        factory.Settings["Coffer:Audit:CheckpointUrl"] = receiver.Url;
        var user = await TestAccount.CreateAsync(factory);
        await user.CreateCipherAsync();
        var job = factory.Services.GetRequiredService<AuditCheckpointJob>();

        await job.RunOnceAsync(default);
        Assert.Single(receiver.Bodies);
        await job.RunOnceAsync(default);

        Assert.Equal(2, receiver.Bodies.Count);
        var posted = JsonNode.Parse(receiver.Bodies.Last())!;
        await using var scope = factory.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<CofferDb>().AuditCheckpoints.SingleAsync();
        Assert.Equal(1, (long?)posted["number"]);
        Assert.Equal(stored.Hash, (string?)posted["hash"]);
        Assert.Equal(stored.Root, (string?)posted["root"]);
        Assert.Equal(stored.EventCount, (long?)posted["events"]);
    }

    [Fact]
    public async Task OrganizationEvents_FormTheOrganizationsChain_AndAccountEventsTheAccountsChain()
    {
        await using var factory = new CofferFactory();
        var admin = await factory.CreateAdminAsync();
        var organization = await OrgHarness.CreateAsync(factory);
        await organization.CreateCollectionAsync();
        await organization.Owner.CreateCipherAsync();

        using var db = factory.OpenDatabase();
        var orgId = Id(organization.Id.ToString());
        var ownerId = Id(organization.Owner.UserId);
        var orgEvents = await db.ScalarAsync($"SELECT COUNT(*) FROM audit_events WHERE \"OrganizationId\" = '{orgId}'");
        Assert.True(orgEvents >= 1, $"only {orgEvents} organization events");
        Assert.Equal(orgEvents, await db.ScalarAsync($"SELECT COUNT(*) FROM audit_events WHERE \"ChainId\" = '{orgId}'"));
        Assert.Equal(orgEvents, await db.ScalarAsync($"SELECT MAX(\"Position\") FROM audit_events WHERE \"ChainId\" = '{orgId}'"));
        var ownEvents = await db.ScalarAsync($"SELECT COUNT(*) FROM audit_events WHERE \"UserId\" = '{ownerId}' AND \"OrganizationId\" IS NULL");
        Assert.Equal(ownEvents, await db.ScalarAsync($"SELECT COUNT(*) FROM audit_events WHERE \"ChainId\" = '{ownerId}'"));
        var result = await VerifyAsync(admin);
        Assert.True((bool?)result["intact"], result.ToJsonString());
    }

    /// <summary>The event to tamper with: the user's second-to-last, in the middle of the user's chain.</summary>
    internal sealed record Target(long Sequence, Guid Chain, long Position);

    /// <summary>An admin, and a user with a few items; the target is the middle of the user's chain.</summary>
    internal static async Task<(TestAccount Admin, Target Target)> MakeHistoryAsync(CofferFactory factory)
    {
        var admin = await factory.CreateAdminAsync();
        var user = await TestAccount.CreateAsync(factory);
        await user.CreateCipherAsync();
        await user.CreateCipherAsync();
        await user.CreateCipherAsync();
        using var db = factory.OpenDatabase();
        var chain = Id(user.UserId);
        var last = await db.ScalarAsync($"SELECT MAX(\"Position\") FROM audit_events WHERE \"ChainId\" = '{chain}'");
        Assert.True(last >= 4, $"only {last} events in the user's chain");
        var sequence = await db.ScalarAsync($"SELECT \"Sequence\" FROM audit_events WHERE \"ChainId\" = '{chain}' AND \"Position\" = {last - 1}");
        var before = await VerifyAsync(admin);
        Assert.True((bool?)before["intact"], before.ToJsonString());
        return (admin, new Target(sequence, Guid.Parse(user.UserId), last - 1));
    }

    /// <summary>A GUID as the provider stores it (EF Core keeps upper-case text in SQLite, MySQL lower-case char(36)).</summary>
    internal static string Id(string guid) => TestDatabase.IsShared ? Guid.Parse(guid).ToString() : Guid.Parse(guid).ToString().ToUpperInvariant();

    private static Task<JsonObject> VerifyAsync(TestAccount admin) => AuditTests.VerifyAsync(admin);
}

internal static class AuditDatabase
{
    public static async Task<string> ScalarTextAsync(this DbConnection db, string sql)
    {
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}

/// <summary>A real HTTP server on 127.0.0.1 (Kestrel, port 0) that takes POSTed checkpoints, failing the first <c>failFirst</c> with 503.</summary>
internal sealed class CheckpointReceiver : IAsyncDisposable
{
    private readonly WebApplication app;

    private CheckpointReceiver(WebApplication app) => this.app = app;

    public System.Collections.Concurrent.ConcurrentQueue<string> Bodies { get; } = new();

    public string Url => app.Urls.First() + "/checkpoints";

    public static async Task<CheckpointReceiver> StartAsync(int failFirst)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new CheckpointReceiver(app);
        var failures = failFirst;
        app.MapPost("/checkpoints", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            receiver.Bodies.Enqueue(await reader.ReadToEndAsync());
            return Interlocked.Decrement(ref failures) >= 0 ? Results.StatusCode(503) : Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
