namespace Coffer.Testing;

/// <summary>
/// A new, empty PostgreSQL database for one fixture or test: made in the run's cluster (<c>COFFER_TEST_POSTGRES</c>,
/// an admin connection string that test.sh exports) and dropped afterwards; without that variable, in a throwaway
/// cluster of its own that disposing removes.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly string adminConnectionString;
    private readonly string name;
    private readonly PostgresCluster? ownCluster;

    private PostgresDatabase(string adminConnectionString, string name, PostgresCluster? ownCluster)
    {
        this.adminConnectionString = adminConnectionString;
        this.name = name;
        this.ownCluster = ownCluster;
    }

    /// <summary>The connection string (Npgsql keywords) a Coffer node is given as <c>Coffer__Database</c>.</summary>
    public string ConnectionString => PostgresTools.WithDatabase(adminConnectionString, name);

    public static async Task<PostgresDatabase> CreateAsync(string prefix)
    {
        var shared = Environment.GetEnvironmentVariable("COFFER_TEST_POSTGRES");
        var own = string.IsNullOrWhiteSpace(shared) ? await PostgresCluster.StartAsync() : null;
        var database = new PostgresDatabase(own?.ConnectionString() ?? shared!, $"{prefix}_{Guid.NewGuid():N}", own);
        try
        {
            await PostgresTools.CreateDatabaseAsync(database.adminConnectionString, database.name);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (ownCluster is not null)
        {
            await ownCluster.DisposeAsync();
        }
        else
        {
            await PostgresTools.DropDatabaseAsync(adminConnectionString, name);
        }
    }
}
