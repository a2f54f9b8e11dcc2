namespace Coffer.Server.Tests.Infrastructure;

/// <summary>
/// Several servers over one fresh data folder, hence one database (the same SQLite file or PostgreSQL database), as
/// nodes behind a load balancer. Disposing stops them and deletes the folder and its database.
/// </summary>
public sealed class Nodes : IAsyncDisposable
{
    private readonly List<CofferFactory> servers;

    public Nodes(int count)
    {
        servers = [.. Enumerable.Range(0, count).Select(_ => CofferFactory.OnExistingFolder(Folder))];
    }

    public string Folder { get; } = CofferFactory.CreateTempFolder();

    public IReadOnlyList<CofferFactory> All => servers;

    public CofferFactory this[int index] => servers[index];

    /// <summary>Starts every server at once, each from its own thread, and returns what each answers on <c>/alive</c>.</summary>
    public Task<System.Net.HttpStatusCode[]> StartTogetherAsync() => Task.WhenAll(servers.Select(node => Task.Run(async () =>
    {
        using var alive = await node.CreateClient().GetAsync("/alive");
        return alive.StatusCode;
    })));

    public async ValueTask DisposeAsync()
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }

        CofferFactory.DeleteFolder(Folder);
    }
}
