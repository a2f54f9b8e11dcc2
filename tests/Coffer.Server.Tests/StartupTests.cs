using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Coffer.Server.Hosting;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Coffer.Server.Tests;

/// <summary>
/// What the start does and what it leaves for later (bench/results/footprint.md): the first start on an empty data
/// folder migrates; a restart on an up-to-date database runs no migrator (the EF model is built after the server
/// listens) and serves every route as before; the GC settings are those README's "Memory and start" names.
/// </summary>
public sealed class StartupTests : IDisposable
{
    // EF Core's migrator logs these at Information (Microsoft.EntityFrameworkCore.Migrations).
    private const string AppliedLine = "Applying migration";
    private const string LockLine = "Acquiring an exclusive lock for migration application";
    private const string UpToDateLine = "No migrations were applied";

    private static readonly Dictionary<string, string?> MigrationLog = new()
    {
        ["Logging__LogLevel__Microsoft.EntityFrameworkCore.Migrations"] = "Information",
    };

    private readonly string folder = CofferFactory.CreateTempFolder();

    public void Dispose() => CofferFactory.DeleteFolder(folder);

    [SqliteFact]
    [Trait("Provider", "SqliteOnly")]
    public async Task Start_WithAnEmptyDataFolder_MigratesAndServes()
    {
        await using var server = await ServerProcess.StartAsync(null, folder, MigrationLog);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        using var health = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains(AppliedLine, server.Log, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "coffer.db")), server.Log);
        await SignUpCreateAndSyncAsync(client);
    }

    [SqliteFact]
    [Trait("Provider", "SqliteOnly")]
    public async Task Restart_OnAnUpToDateDatabase_RunsNoMigrator_AndServesTheDataOfTheFirstStart()
    {
        var credentials = Credentials.New();
        string itemId;
        await using (var first = await ServerProcess.StartAsync(null, folder, MigrationLog))
        {
            using var client = new HttpClient { BaseAddress = first.BaseAddress };
            itemId = await SignUpCreateAndSyncAsync(client, credentials);
        }

        await using var second = await ServerProcess.StartAsync(null, folder, MigrationLog);
        using var again = new HttpClient { BaseAddress = second.BaseAddress };
        using var health = await again.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        // The model is built after the start; the first requests that need it (login, sync) work as ever.
        await LogInAsync(again, credentials);
        Assert.Contains(itemId, await SyncedIdsAsync(again));
        Assert.DoesNotContain(AppliedLine, second.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(LockLine, second.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(UpToDateLine, second.Log, StringComparison.Ordinal);
        Assert.Equal("wal", JournalMode(Path.Combine(folder, "coffer.db")));
    }

    [Fact]
    public void RuntimeConfig_OfTheBuiltServer_HasTheGcSettingsTheReadmeNames()
    {
        var runtimeConfig = Path.ChangeExtension(RepoPaths.ServerDll, ".runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        // Workstation GC (one heap, not one per core), background (concurrent) collections, and conserve memory.
        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.True(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.Equal(ExpectedConserveMemory, properties.GetProperty("System.GC.ConserveMemory").GetInt32());
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        Assert.Contains($"System.GC.ConserveMemory: {ExpectedConserveMemory}", readme, StringComparison.Ordinal);
        Assert.Contains("System.GC.Server: false", readme, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, IdleMemoryTrim.BusyBytes, true)]
    [InlineData(IdleMemoryTrim.QuietBytes - 1, IdleMemoryTrim.BusyBytes, true)]
    [InlineData(IdleMemoryTrim.QuietBytes, IdleMemoryTrim.BusyBytes * 4, false)]
    [InlineData(0, IdleMemoryTrim.BusyBytes - 1, false)]
    public void IdleMemoryTrim_TrimsOnlyWhenQuietAfterABusySpell(long lastInterval, long sinceTrim, bool trims) =>
        Assert.Equal(trims, IdleMemoryTrim.ShouldTrim(lastInterval, sinceTrim));

    /// <summary>The value of <c>ConserveMemory</c> in src/Coffer.Server/Runtime.props.</summary>
    private const int ExpectedConserveMemory = 5;

    private static async Task<string> SignUpCreateAndSyncAsync(HttpClient client, Credentials? credentials = null)
    {
        credentials ??= Credentials.New();
        await IdentityApi.RegisterAsync(client, credentials);
        await LogInAsync(client, credentials);
        using var created = await client.PostJsonAsync("/api/ciphers", Payloads.LoginCipher());
        var id = (await created.ExpectObjectAsync()).RequireString("id");
        Assert.Contains(id, await SyncedIdsAsync(client));
        return id;
    }

    private static async Task<List<string>> SyncedIdsAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/sync?excludeDomains=true");
        var sync = await response.ExpectObjectAsync();
        return [.. sync["ciphers"]!.AsArray().Select(c => c.RequireString("id"))];
    }

    private static async Task LogInAsync(HttpClient client, Credentials credentials)
    {
        var token = (await IdentityApi.LoginAsync(client, credentials, Fake.DeviceIdentifier())).RequireString("access_token");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private static string JournalMode(string databasePath)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        return (string)command.ExecuteScalar()!;
    }
}
