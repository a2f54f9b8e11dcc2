using Npgsql;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server for one test class: the one named by <c>COFFER_TEST_POSTGRES</c> (an admin connection string,
/// as test.sh sets it), else a throwaway <see cref="PostgresCluster"/> removed afterwards. Each test takes a database
/// of its own (<see cref="CreateDatabaseAsync"/>), and NOTIFY never crosses databases.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly List<string> databases = [];
    private PostgresCluster? ownCluster;

    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("COFFER_TEST_POSTGRES") is { Length: > 0 } configured)
        {
            AdminConnectionString = configured;
            return;
        }

        ownCluster = await PostgresCluster.StartAsync();
        AdminConnectionString = ownCluster.ConnectionString();
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "coffer_notify_" + Guid.NewGuid().ToString("N");
        await PostgresTools.CreateDatabaseAsync(AdminConnectionString, name);
        databases.Add(name);
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Ends every session of <paramref name="applicationName"/> in the database, as a lost connection would.</summary>
    public async Task<int> TerminateAsync(string connectionString, string applicationName)
    {
        await using var admin = NpgsqlDataSource.Create(AdminConnectionString);
        await using var kill = admin.CreateCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2");
        kill.Parameters.Add(new NpgsqlParameter { Value = new NpgsqlConnectionStringBuilder(connectionString).Database });
        kill.Parameters.Add(new NpgsqlParameter { Value = applicationName });
        return Convert.ToInt32(await kill.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (ownCluster is not null)
        {
            await ownCluster.DisposeAsync();
            return;
        }

        foreach (var name in databases)
        {
            await PostgresTools.DropDatabaseAsync(AdminConnectionString, name);
        }
    }
}
