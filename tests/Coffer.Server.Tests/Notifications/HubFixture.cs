using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Notifications;

/// <summary>
/// A server whose hub bounds are small enough to reach in a test: 3 connections per user, 4 incoming messages a
/// minute, 256-byte messages, a ping every second and a 2-second handshake timeout.
/// IAsyncLifetime, not IAsyncDisposable: xunit 2 disposes class fixtures only through IDisposable or IAsyncLifetime,
/// and an undisposed factory leaves its data folder (and on PostgreSQL its database) behind.
/// </summary>
public sealed class HubFixture : IAsyncLifetime
{
    public HubFixture()
    {
        Factory.Settings["Coffer:Notifications:MaxConnectionsPerUser"] = "3";
        Factory.Settings["Coffer:Notifications:MaxAnonymousConnectionsPerAddress"] = "2";
        Factory.Settings["Coffer:Notifications:MaxIncomingMessagesPerMinute"] = "4";
        Factory.Settings["Coffer:Notifications:MaxIncomingMessageBytes"] = "256";
        Factory.Settings["Coffer:Notifications:PingSeconds"] = "1";
        Factory.Settings["Coffer:Notifications:HandshakeTimeoutSeconds"] = "2";
    }

    public CofferFactory Factory { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Factory.DisposeAsync().AsTask();
}

/// <summary>An account with a second logged-in device, each with its own token and device identifier.</summary>
public sealed record TwoDevices(TestAccount First, string SecondToken, string SecondIdentifier)
{
    public static async Task<TwoDevices> CreateAsync(CofferFactory factory)
    {
        var first = await TestAccount.CreateAsync(factory);
        var identifier = Fake.DeviceIdentifier();
        var token = await IdentityApi.LoginAsync(factory.CreateClient(), first.Credentials, identifier);
        return new TwoDevices(first, token.RequireString("access_token"), identifier);
    }

    public HttpClient SecondClient()
    {
        var client = First.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SecondToken);
        return client;
    }
}

public static class HubMarkers
{
    /// <summary>
    /// An empty import: a change whose SyncVault goes to every device of <paramref name="account"/>, its own
    /// included (ContextId nil). Tests that check a device received nothing assert that this comes first, since a
    /// connection's messages arrive in the order their changes committed.
    /// </summary>
    public static async Task SendMarkerAsync(HttpClient account)
    {
        var empty = new JsonObject { ["ciphers"] = new JsonArray(), ["folders"] = new JsonArray(), ["folderRelationships"] = new JsonArray() };
        using var response = await account.PostJsonAsync("/api/ciphers/import", empty);
        await response.ExpectSuccessAsync();
    }

    public static async Task AssertNextIsMarkerAsync(LiveSyncClient hub)
    {
        var next = await hub.NextNotificationAsync();
        Assert.Equal(5, next.Type);
        Assert.Null(next.ContextId);
    }
}
