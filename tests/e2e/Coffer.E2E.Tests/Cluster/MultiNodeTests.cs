using System.Buffers.Text;
using System.Text.Json;
using System.Threading.Channels;
using Coffer.Client;
using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Coffer.E2E.Tests.Cluster;

/// <summary>
/// Three nodes, one database (PostgreSQL, or MariaDB with <c>COFFER_TEST_PROVIDER=mysql</c>), nginx in front. Devices that go through nginx land on any node, request by
/// request; tests that need "through node N" talk to that node directly. Whatever one node writes or revokes,
/// every other node must see at once: there is no per-node state a client could notice.
/// </summary>
public sealed class MultiNodeTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private static readonly TimeSpan NotificationTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Nginx_SpreadsRequestsOverEveryNode_BehindTlsTrustedOnlyThroughTheTestCa()
    {
        using var client = new HttpClient(fixture.Certificates.CreateTrustingHandler());
        using var untrusting = new HttpClient();
        var alive = new Uri(fixture.Nginx.BaseAddress, "/alive");

        var statuses = new List<int>();
        for (var i = 0; i < 3 * ClusterFixture.NodeCount; i++)
        {
            using var response = await client.GetAsync(alive);
            statuses.Add((int)response.StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(200, s));
        var nodes = Enumerable.Range(1, ClusterFixture.NodeCount).Select(n => $"127.0.0.1:{fixture.Node(n).BaseAddress.Port}");
        Assert.Superset(nodes.ToHashSet(), fixture.Nginx.UpstreamsUsed().ToHashSet());
        Assert.Subset(nodes.ToHashSet(), fixture.Nginx.UpstreamsUsed().ToHashSet());
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(alive));
    }

    [Fact]
    public async Task ItemWrittenByBwThroughNginx_EditedByCofferThroughNginx_ReadsTheSameOnEveryNode()
    {
        var account = TestAccount.CreateUnique();
        await fixture.NewCoffer(account).RegisterAsync(fixture.Nginx.Url);
        var bw = fixture.NewBw(account);
        await bw.LoginAsync(fixture.Nginx.Url);
        var coffer = fixture.NewCoffer(account);
        await coffer.LoginAsync(fixture.Nginx.Url);

        var created = await bw.JsonAsync("bw create item (through nginx)", "create", "item", BwClient.Encode(
            BwJson.LoginItem("Shared mailbox", "carol", "first-Pa55", "https://mail.example.net", "made by bw", folderId: null)));
        await coffer.OkAsync("coffer sync (through nginx)", "sync");
        var readByCoffer = await coffer.OkAsync("coffer get password (through nginx)", "get", "password", created.Id());
        await coffer.OkAsync("coffer edit --password (through nginx)", "edit", created.Id(), "--password", "second-Pa55");
        var perNode = new List<(int Node, Coffer.Client.Vault.VaultItem Item)>();
        for (var node = 1; node <= ClusterFixture.NodeCount; node++)
        {
            using var device = await ApiSession.LoginAsync(fixture.Certificates, fixture.Node(node).BaseAddress, account);
            perNode.Add((node, Assert.Single(await device.SyncItemsAsync())));
        }

        await bw.OkAsync("bw sync (through nginx, after the coffer edit)", "sync");
        var readByBw = await bw.OkAsync("bw get password (through nginx)", "get", "password", created.Id());

        Assert.Equal("first-Pa55\n", readByCoffer);
        Assert.Equal("second-Pa55", readByBw);
        Assert.All(perNode, read =>
        {
            Assert.Equal(created.Id(), read.Item.Id.ToString());
            Assert.Equal("Shared mailbox", read.Item.Name);
            Assert.Equal("second-Pa55", read.Item.Login?.Password);
            Assert.Equal("made by bw", read.Item.Notes);
        });
        Assert.Single(perNode.Select(r => r.Item.RevisionDate).Distinct());
    }

    [Fact]
    public async Task RefreshToken_RotatedOnNode1_IsRefusedOnNode2_AndTheReplayEndsTheSessionOnEveryNode()
    {
        var account = TestAccount.CreateUnique();
        await ApiSession.RegisterAsync(fixture.Certificates, fixture.Node(1).BaseAddress, account);
        using var device = await ApiSession.LoginAsync(fixture.Certificates, fixture.Node(1).BaseAddress, account);
        using var node2 = ApiSession.NewClient(fixture.Certificates, fixture.Node(2).BaseAddress);
        using var node3 = ApiSession.NewClient(fixture.Certificates, fixture.Node(3).BaseAddress);
        var first = device.Token.RefreshToken;

        var second = (await device.Client.RefreshAsync(first)).RefreshToken;
        // Node 3 honours what node 1 issued: the token store is shared, not per node.
        var third = (await node3.RefreshAsync(second)).RefreshToken;
        var replay = await Assert.ThrowsAsync<CofferApiException>(() => node2.RefreshAsync(first));
        var afterReplay = await Assert.ThrowsAsync<CofferApiException>(() => device.Client.RefreshAsync(third));

        Assert.Equal("invalid_grant", replay.Error);
        // A consumed token presented again is treated as stolen: the device's newest token dies too, on every node.
        Assert.Equal("invalid_grant", afterReplay.Error);
        Assert.Equal(3, new[] { first, second, third }.Distinct().Count());
    }

    [Fact]
    public async Task FailedLogins_SpreadOverAllNodes_LockTheAccountOnEveryNode()
    {
        const int LockoutFailures = 10; // the server's default, left as is for these tests
        var account = TestAccount.CreateUnique();
        await ApiSession.RegisterAsync(fixture.Certificates, fixture.Node(1).BaseAddress, account);
        var email = AccountEmail.Normalize(account.Email);
        var wrongHash = ApiSession.PasswordHash(account with { Password = "not-the-password" }, KdfConfig.DefaultPbkdf2);
        var rightHash = ApiSession.PasswordHash(account, KdfConfig.DefaultPbkdf2);
        var clients = Enumerable.Range(1, ClusterFixture.NodeCount)
            .Select(n => ApiSession.NewClient(fixture.Certificates, fixture.Node(n).BaseAddress)).ToList();
        try
        {
            var failures = new List<string>();
            for (var attempt = 0; attempt < LockoutFailures; attempt++)
            {
                // Round-robin: no node sees more than four of the ten failures.
                var refused = await Assert.ThrowsAsync<CofferApiException>(
                    () => clients[attempt % clients.Count].LoginAsync(email, wrongHash, twoFactor: null));
                failures.Add(refused.Message);
            }

            var rightPasswordAfterwards = new List<string>();
            foreach (var client in clients)
            {
                var refused = await Assert.ThrowsAsync<CofferApiException>(() => client.LoginAsync(email, rightHash, twoFactor: null));
                rightPasswordAfterwards.Add(refused.Message);
            }

            Assert.DoesNotContain(failures.Take(LockoutFailures - 1), m => m.Contains("Too many failed", StringComparison.Ordinal));
            Assert.All(rightPasswordAfterwards, m => Assert.Contains("Too many failed log-in attempts", m, StringComparison.Ordinal));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task ItemCreatedOnNode1_IsNotified_ToAHubClientOnNode3_AndOneThroughNginx()
    {
        var account = TestAccount.CreateUnique();
        await ApiSession.RegisterAsync(fixture.Certificates, fixture.Node(1).BaseAddress, account);
        using var listener = await ApiSession.LoginAsync(fixture.Certificates, fixture.Node(3).BaseAddress, account);
        var (onNode3, seenOnNode3) = await ConnectHubAsync(fixture.Node(3).BaseAddress, listener.Token.AccessToken);
        await using var node3Connection = onNode3;
        var (throughNginx, seenThroughNginx) = await ConnectHubAsync(fixture.Nginx.BaseAddress, listener.Token.AccessToken);
        await using var nginxConnection = throughNginx;
        using var writer = await ApiSession.LoginAsync(fixture.Certificates, fixture.Node(1).BaseAddress, account);

        var id = (await writer.CreateLoginAsync("Notified item")).ToString();

        foreach (var seen in new[] { seenOnNode3, seenThroughNginx })
        {
            var notification = await WaitForAsync(seen, n => Equals(n.Payload["Id"], id));
            Assert.Equal(1, notification.Type); // SyncCipherCreate
            Assert.Equal(writer.DeviceIdentifier, notification.ContextId);
            Assert.Equal(UserId(listener), (string?)notification.Payload["UserId"], ignoreCase: true);
        }
    }

    [Fact]
    public async Task ItemsCreatedOnNode1_ReachAHubClientOnNode3_InUnderASecond()
    {
        const int Changes = 50;
        var account = TestAccount.CreateUnique();
        await ApiSession.RegisterAsync(fixture.Certificates, fixture.Node(1).BaseAddress, account);
        using var listener = await ApiSession.LoginAsync(fixture.Certificates, fixture.Node(3).BaseAddress, account);
        var (connection, seen) = await ConnectHubAsync(fixture.Node(3).BaseAddress, listener.Token.AccessToken);
        await using var hub = connection;
        using var writer = await ApiSession.LoginAsync(fixture.Certificates, fixture.Node(1).BaseAddress, account);
        var latencies = new List<TimeSpan>();

        for (var i = 0; i < Changes; i++)
        {
            // From the answer to the write (its commit, and node 1's publishing, are done) to the notification on node 3.
            var id = (await writer.CreateLoginAsync($"Item {i}")).ToString();
            var committed = System.Diagnostics.Stopwatch.GetTimestamp();
            await WaitForAsync(seen, n => Equals(n.Payload["Id"], id));
            latencies.Add(System.Diagnostics.Stopwatch.GetElapsedTime(committed));
        }

        var sorted = latencies.Order().ToList();
        var median = sorted[Changes / 2];
        output.WriteLine(FormattableString.Invariant(
            $"Cross-node delivery on {fixture.Database.Kind} over {Changes} changes: median {median.TotalMilliseconds:F1} ms, 90th percentile {sorted[Changes * 9 / 10].TotalMilliseconds:F1} ms, max {sorted[^1].TotalMilliseconds:F1} ms"));
        // The bound is a second (MySQL's 250 ms poll plus two round trips; PostgreSQL pushes); the median leaves room for a loaded machine.
        Assert.True(median < TimeSpan.FromSeconds(1), $"median {median.TotalMilliseconds} ms");
    }

    /// <summary>
    /// The .NET SignalR client as the Bitwarden clients configure theirs (notifications doc §3.1): WebSockets without
    /// negotiation, MessagePack, the token in the Authorization header; the test CA is its only trust anchor.
    /// </summary>
    private async Task<(HubConnection Connection, ChannelReader<PushMessage> Received)> ConnectHubAsync(Uri server, string accessToken)
    {
        var received = Channel.CreateUnbounded<PushMessage>();
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server, "/notifications/hub"), options =>
            {
                options.SkipNegotiation = true;
                options.Transports = HttpTransportType.WebSockets;
                options.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
                options.WebSocketConfiguration = socket =>
                    socket.RemoteCertificateValidationCallback = (_, certificate, _, errors) => fixture.Certificates.IsTrusted(certificate, errors);
            })
            .AddMessagePackProtocol()
            .Build();
        connection.On<PushMessage>("ReceiveMessage", message => received.Writer.TryWrite(message));
        using var connect = new CancellationTokenSource(NotificationTimeout);
        await connection.StartAsync(connect.Token);
        return (connection, received.Reader);
    }

    private static async Task<PushMessage> WaitForAsync(ChannelReader<PushMessage> received, Func<PushMessage, bool> match)
    {
        using var timeout = new CancellationTokenSource(NotificationTimeout);
        while (true)
        {
            var message = await received.ReadAsync(timeout.Token);
            if (match(message))
            {
                return message;
            }
        }
    }

    private static string UserId(ApiSession session)
    {
        // The JWT's sub is the user id the hub must name in the payload (notifications doc §7, UserId filter).
        var payload = Base64Url.DecodeFromChars(session.Token.AccessToken.Split('.')[1]);
        using var document = JsonDocument.Parse(payload);
        return document.RootElement.GetProperty("sub").GetString()!;
    }
}

/// <summary>The <c>ReceiveMessage</c> argument (notifications doc §4) as the client deserializes it.</summary>
public sealed record PushMessage(string? ContextId, int Type, Dictionary<string, object?> Payload);
