using System.Security.Cryptography;

namespace Coffer.E2E.Tests.Cluster;

/// <summary>
/// Several coffer-server processes on 127.0.0.1 sharing one database (PostgreSQL, MySQL or MariaDB) and one access-token signing key,
/// each with its own data folder: a token issued by one node is accepted by the others, and every node reads and
/// writes the same data. The rate limits are the harness's roomy ones; the failed-login lockout keeps its defaults.
/// </summary>
public sealed class CofferCluster : IAsyncDisposable
{
    private readonly List<ServerProcess> nodes = [];

    private CofferCluster(IReadOnlyDictionary<string, string?> environment) => Environment = environment;

    public IReadOnlyList<ServerProcess> Nodes => nodes;

    /// <summary>The settings every node shares (database, signing key).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>
    /// Starts <paramref name="nodeCount"/> nodes on the empty database that <paramref name="databaseSettings"/> names
    /// (<c>Coffer__Database</c>, and <c>Coffer__DatabaseProvider</c> for MySQL), node N in the folder
    /// <paramref name="dataFolder"/> gives for "nodeN".
    /// </summary>
    public static async Task<CofferCluster> StartAsync(
        TestCertificates certificates, Func<string, string> dataFolder, IReadOnlyDictionary<string, string?> databaseSettings, int nodeCount)
    {
        var cluster = new CofferCluster(new Dictionary<string, string?>(databaseSettings)
        {
            ["Coffer__JwtSigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
        try
        {
            // The first node creates the schema; the others then start side by side against a migrated database.
            cluster.nodes.Add(await ServerProcess.StartAsync(certificates, dataFolder("node1"), cluster.Environment));
            var others = await Task.WhenAll(Enumerable.Range(2, nodeCount - 1).Select(
                n => ServerProcess.StartAsync(certificates, dataFolder($"node{n}"), cluster.Environment)));
            cluster.nodes.AddRange(others);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The last lines of every node's log, each under its node's name.</summary>
    public string LogTail(int charsPerNode = 3000) => string.Join('\n', nodes.Select((node, i) =>
    {
        var log = node.Log;
        var tail = log.Length <= charsPerNode ? log : "…" + log[^charsPerNode..];
        var state = node.ExitCode is { } code ? $" (exited with {code})" : "";
        return $"--- node {i + 1} ({node.Url}){state} ---\n{tail}";
    }));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }
    }
}
