using Coffer.Server.Notifications;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coffer.Server.Tests.Notifications;

/// <summary>
/// Fan-out between nodes through PostgreSQL LISTEN/NOTIFY: each node delivers to its own connections only. On
/// PostgreSQL runs the two servers share their database, and with it the bus; on other runs each gets a data source
/// for the bus alone, on one database of the cluster.
/// </summary>
public sealed class PostgresBusTests(PostgresFixture cluster) : BusFacts, IClassFixture<PostgresFixture>
{
    // The database whose NOTIFY channel the nodes of a test share.
    private string? busDatabase;

    // 250 collection ids are about 10 KB of JSON, past PostgreSQL's 8000-byte NOTIFY payload.
    protected override int CollectionsPastTheLimit => 250;

    [Fact]
    public async Task Listener_AfterLosingItsConnection_ListensAgain()
    {
        await using var nodes = await StartNodesAsync();
        var devices = await TwoDevices.CreateAsync(nodes.First);
        await using var hub = await LiveSyncClient.ConnectAsync(nodes.Second, devices.SecondToken);

        Assert.Equal(2, await cluster.TerminateAsync(busDatabase!, PostgresNotificationBus.ApplicationName));

        // Messages sent before the listener is back are lost by design; keep sending until one arrives.
        using var guard = new CancellationTokenSource(Guard);
        var notification = new Notification(PushType.SyncSettings, Guid.Parse(devices.First.UserId), TimeProvider.System.GetUtcNow().UtcDateTime);
        var arrived = hub.NextNotificationAsync();
        while (!arrived.IsCompleted)
        {
            await TwoNodes.Bus(nodes.First).PublishAsync([notification]);
            await Task.WhenAny(arrived, Task.Delay(200, guard.Token));
        }

        Assert.Equal(10, (await arrived).Type);
    }

    protected override async Task<TwoNodes> StartNodesAsync()
    {
        var first = new CofferFactory();
        var second = CofferFactory.OnExistingFolder(first.DataFolder);
        busDatabase = TestDatabase.IsPostgres ? TestDatabase.ConnectionStringFor(first.DataFolder) : await cluster.CreateDatabaseAsync();
        List<IAsyncDisposable> owned = [];
        if (!TestDatabase.IsPostgres)
        {
            var firstSource = NpgsqlDataSource.Create(busDatabase);
            var secondSource = NpgsqlDataSource.Create(busDatabase);
            owned.AddRange([firstSource, secondSource]);
            first.ExtraServices = services => services.AddSingleton(firstSource);
            second.ExtraServices = services => services.AddSingleton(secondSource);
        }

        return await new TwoNodes(first, second, owned).StartAsync();
    }
}
