using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>A user's own audit events in Bitwarden's shape (protocol account doc §5.1, §5.2).</summary>
public sealed class EventTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private static readonly string[] EventKeys =
    [
        "type", "userId", "organizationId", "providerId", "cipherId", "collectionId", "groupId", "policyId",
        "organizationUserId", "providerUserId", "providerOrganizationId", "actingUserId", "installationId", "date",
        "deviceType", "ipAddress", "systemUser", "domainName", "secretId", "projectId", "serviceAccountId",
        "grantedServiceAccountId", "sendId", "object",
    ];

    [Fact]
    public async Task Events_OwnOnly()
    {
        var alice = await TestAccount.CreateAsync(factory);
        var bob = await TestAccount.CreateAsync(factory);
        await alice.CreateCipherAsync();
        await bob.CreateCipherAsync();

        var aliceEvents = await EventsAsync(alice, "/api/events");
        var bobEvents = await EventsAsync(bob, "/api/events");

        Assert.Equal([1100, 1000, 9000], aliceEvents.Select(e => (int)e!["type"]!));
        Assert.All(aliceEvents, e => Assert.Equal(alice.UserId, (string?)e!["userId"]));
        Assert.All(bobEvents, e => Assert.Equal(bob.UserId, (string?)e!["userId"]));
    }

    [Fact]
    public async Task Events_HaveBitwardensShape_WithEveryKeyPresent()
    {
        var account = await TestAccount.CreateAsync(factory);
        account.Client.DefaultRequestHeaders.Add("Device-Type", "25");
        var cipher = await account.CreateCipherAsync();

        using var response = await account.Client.GetAsync("/api/events");
        var list = await response.ExpectObjectAsync();

        Assert.Equal("list", (string?)list["object"]);
        Assert.True(list.ContainsKey("continuationToken"));
        Assert.Null(list["continuationToken"]);
        var created = list.RequireArray("data").OfType<JsonObject>().Single(e => (int?)e["type"] == 1100);
        Assert.Equal(EventKeys.Order(), created.Select(p => p.Key).Order());
        Assert.Equal("event", (string?)created["object"]);
        Assert.Equal(cipher.RequireString("id"), (string?)created["cipherId"]);
        Assert.Equal(account.UserId, (string?)created["actingUserId"]);
        Assert.Equal(25, (int?)created["deviceType"]);
        Assert.Null(created["organizationId"]);
        created.RequireUtcDate("date");
    }

    [Fact]
    public async Task CipherEvents_OwnCipher_ListsItsEvents()
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipher = await account.CreateCipherAsync();
        using (var trash = await account.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{cipher.RequireString("id")}/delete"))
        {
            await trash.ExpectSuccessAsync();
        }

        var events = await EventsAsync(account, $"/api/ciphers/{cipher.RequireString("id")}/events");

        Assert.Equal([1115, 1100], events.Select(e => (int)e!["type"]!));
    }

    [Fact]
    public async Task CipherEvents_ForeignOrUnknownCipher_Returns404()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var cipher = await owner.CreateCipherAsync();

        using var foreign = await other.Client.GetAsync($"/api/ciphers/{cipher.RequireString("id")}/events");
        using var unknown = await other.Client.GetAsync($"/api/ciphers/{Guid.NewGuid()}/events");

        await foreign.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        await unknown.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Events_Paging_ReturnsEveryEventOnce()
    {
        var account = await TestAccount.CreateAsync(factory);
        for (var i = 0; i < 101; i++)
        {
            await account.CreateCipherAsync();
        }

        using var first = await account.Client.GetAsync("/api/events");
        var page1 = await first.ExpectObjectAsync();
        var token = page1.RequireString("continuationToken");
        using var second = await account.Client.GetAsync($"/api/events?continuationToken={token}");
        var page2 = await second.ExpectObjectAsync();

        Assert.Equal(100, page1.RequireArray("data").Count);
        Assert.Equal(3, page2.RequireArray("data").Count);
        Assert.Null(page2["continuationToken"]);
        Assert.Equal(9000, (int?)page2.RequireArray("data")[^1]!["type"]);
    }

    [Fact]
    public async Task Events_OutsideTheRange_AreNotListed_AndAReversedRangeIsSwapped()
    {
        var account = await TestAccount.CreateAsync(factory);

        var past = await EventsAsync(account, "/api/events?start=2020-01-01T00:00:00.000Z&end=2020-02-01T00:00:00.000Z");
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        var reversed = await EventsAsync(account, $"/api/events?start={now.AddDays(1):O}&end={now.AddDays(-1):O}");

        Assert.Empty(past);
        Assert.Equal(2, reversed.Count);
    }

    [Theory]
    [InlineData("start=2020-01-01T00:00:00Z&end=2021-01-03T00:00:00Z")]
    [InlineData("start=tomorrow")]
    [InlineData("end=2026-13-45")]
    [InlineData("continuationToken=xyz")]
    [InlineData("continuationToken=0")]
    public async Task Events_BadQuery_Returns400(string query)
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.GetAsync($"/api/events?{query}");

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Events_WithoutToken_Return401()
    {
        using var response = await factory.Anonymous().GetAsync("/api/events");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("[{\"type\":1107,\"cipherId\":\"8df70b38-664c-41c0-bffd-96f585404efa\",\"date\":\"2026-11-21T19:13:40.112Z\",\"organizationId\":null}]")]
    [InlineData("[]")]
    public async Task EventsCollect_AcceptsWithExactly200_AndStoresNothing(string body)
    {
        var account = await TestAccount.CreateAsync(factory);
        var before = await EventsAsync(account, "/api/events");

        using var response = await account.Client.SendRawAsync(HttpMethod.Post, "/events/collect", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before.Count, (await EventsAsync(account, "/api/events")).Count);
    }

    [Fact]
    public async Task EventsCollect_WithoutToken_Returns401()
    {
        using var response = await factory.Anonymous().SendRawAsync(HttpMethod.Post, "/events/collect", "[]");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static async Task<JsonArray> EventsAsync(TestAccount account, string url)
    {
        using var response = await account.Client.GetAsync(url);
        return (await response.ExpectObjectAsync()).RequireArray("data");
    }
}
