using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests.Cluster;

/// <summary>
/// Three Coffer nodes on one database with nginx in front, for one test class. The database is a new one in the
/// run's PostgreSQL cluster (<c>COFFER_TEST_POSTGRES</c>, an admin connection string that test.sh exports; without
/// it the fixture starts a throwaway cluster of its own), or with <c>COFFER_TEST_PROVIDER=mysql</c> on the MariaDB
/// or MySQL server of <c>COFFER_TEST_MYSQL</c> (<see cref="ClusterDatabase"/>); it is dropped afterwards.
/// Clients reach the cluster "as a device" through nginx, or one node directly by its own URL.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime, IServerHost, IDisposable
{
    public const int NodeCount = 3;

    private Scratch? scratch;
    private ClusterDatabase? database;
    private CofferCluster? cluster;
    private NginxBalancer? nginx;
    private int clients;

    public TestCertificates Certificates => Scratch.Certificates;

    private Scratch Scratch => scratch ?? throw new InvalidOperationException("Fixture not initialised.");

    public CofferCluster Cluster => cluster ?? throw new InvalidOperationException("Fixture not initialised.");

    public NginxBalancer Nginx => nginx ?? throw new InvalidOperationException("Fixture not initialised.");

    /// <summary>The database the nodes share.</summary>
    public ClusterDatabase Database => database ?? throw new InvalidOperationException("Fixture not initialised.");

    /// <summary>Node <paramref name="number"/>, counting from 1 as the tests name them.</summary>
    public ServerProcess Node(int number) => Cluster.Nodes[number - 1];

    public async Task InitializeAsync()
    {
        _ = RepoPaths.BwScript;
        scratch = new Scratch("coffer-cluster-");
        database = await ClusterDatabase.CreateAsync("coffer_mn");
        cluster = await CofferCluster.StartAsync(Certificates, Scratch.Folder, database.NodeSettings, NodeCount);
        nginx = await NginxBalancer.StartAsync(Certificates, [.. cluster.Nodes.Select(n => n.BaseAddress)], Scratch.Folder("nginx"));
    }

    public async Task DisposeAsync()
    {
        if (nginx is not null)
        {
            await nginx.DisposeAsync();
        }

        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }

        if (database is not null)
        {
            await database.DisposeAsync();
        }

        Dispose();
    }

    /// <summary>Deletes the fixture's folders; <see cref="DisposeAsync"/> stops the processes using them first.</summary>
    public void Dispose()
    {
        scratch?.Dispose();
        scratch = null;
    }

    public BwClient NewBw(TestAccount account) => new(this, NextClientFolder("bw"), account);

    public CofferClient NewCoffer(TestAccount account) => new(this, NextClientFolder("coffer"), account);

    public string ServerLogTail() =>
        (cluster?.LogTail() ?? "(cluster not started)") + $"\n--- nginx ---\n{nginx?.Log}";

    private string NextClientFolder(string kind) => Scratch.Folder($"{kind}-{Interlocked.Increment(ref clients)}");
}
