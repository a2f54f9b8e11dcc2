using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>Account doc §4: the device list, lookup by client identifier, and deactivation.</summary>
public sealed class DeviceTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task ListDevices_ShowsTheLoginDevice_InUpstreamsShape()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.GetAsync("/api/devices");

        var list = await response.ExpectObjectAsync();
        Assert.Equal("list", (string?)list["object"]);
        Assert.True(list.ContainsKey("continuationToken"));
        var device = Assert.IsType<JsonObject>(Assert.Single(list.RequireArray("data")));
        Assert.True(Guid.TryParse(device.RequireString("id"), out _));
        Assert.Equal(account.DeviceIdentifier, device.RequireString("identifier"));
        Assert.Equal("linux", device.RequireString("name"));
        Assert.Equal(25, (int?)device["type"]);
        device.RequireUtcDate("creationDate");
        device.RequireUtcDate("lastActivityDate");
        Assert.False((bool?)device["isTrusted"]);
        foreach (var field in new[] { "encryptedUserKey", "encryptedPublicKey", "devicePendingAuthRequest" })
        {
            Assert.True(device.ContainsKey(field), field);
            Assert.Null(device[field]);
        }

        Assert.Equal("device", (string?)device["object"]);
    }

    [Fact]
    public async Task ListDevices_ShowsEveryDeviceOfTheCaller_AndNoneOfOthers()
    {
        var account = await TestAccount.CreateAsync(factory);
        var second = Fake.DeviceIdentifier();
        await IdentityApi.LoginAsync(factory.Anonymous(), account.Credentials, second);
        var other = await TestAccount.CreateAsync(factory);

        var identifiers = (await ListAsync(account)).Select(d => d.RequireString("identifier")).ToList();

        Assert.Equal(2, identifiers.Count);
        Assert.Contains(account.DeviceIdentifier, identifiers);
        Assert.Contains(second, identifiers);
        Assert.DoesNotContain(other.DeviceIdentifier, identifiers);
    }

    [Fact]
    public async Task DeviceByIdentifier_FindsOwnDevice_Only()
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);

        using var own = await account.Client.GetAsync($"/api/devices/identifier/{account.DeviceIdentifier}");
        using var foreign = await account.Client.GetAsync($"/api/devices/identifier/{other.DeviceIdentifier}");
        using var unknown = await account.Client.GetAsync($"/api/devices/identifier/{Fake.DeviceIdentifier()}");

        var device = await own.ExpectObjectAsync();
        Assert.Equal(account.DeviceIdentifier, device.RequireString("identifier"));
        Assert.False(device.ContainsKey("devicePendingAuthRequest"));
        await foreign.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        await unknown.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("POST", "/api/devices/{0}/deactivate")]
    [InlineData("DELETE", "/api/devices/{0}")]
    public async Task Deactivate_KillsThatDevicesTokens_AndSparesTheCallersOtherDevice(string method, string template)
    {
        var account = await TestAccount.CreateAsync(factory);
        var lostIdentifier = Fake.DeviceIdentifier();
        var lost = await IdentityApi.LoginAsync(factory.Anonymous(), account.Credentials, lostIdentifier);
        var lostId = (await ListAsync(account)).Single(d => d.RequireString("identifier") == lostIdentifier).RequireString("id");

        using var response = await account.Client.SendEmptyAsync(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, template, lostId));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        using var lostClient = factory.CreateClient();
        lostClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", lost.RequireString("access_token"));
        using (var sync = await lostClient.GetAsync("/api/sync"))
        {
            await sync.ExpectStatusAsync(HttpStatusCode.Unauthorized);
        }

        using (var refresh = await IdentityApi.RefreshAsync(factory.Anonymous(), lost.RequireString("refresh_token")))
        {
            Assert.Equal("invalid_grant", (string?)(await refresh.ExpectObjectAsync(HttpStatusCode.BadRequest))["error"]);
        }

        await AccountChanges.AssertSessionAliveAsync(account);
        Assert.DoesNotContain(await ListAsync(account), d => d.RequireString("id") == lostId);
        Assert.Contains(EventType.DeviceDeactivated, await AccountChanges.AuditEventsAsync(factory, account.UserId));

        // Logging in again on that device works and makes it a device again.
        await IdentityApi.LoginAsync(factory.Anonymous(), account.Credentials, lostIdentifier);
        Assert.Contains(await ListAsync(account), d => d.RequireString("identifier") == lostIdentifier);
    }

    [Fact]
    public async Task Deactivate_TheCallersOwnDevice_EndsItsOwnSession()
    {
        var account = await TestAccount.CreateAsync(factory);
        var id = (await ListAsync(account)).Single().RequireString("id");

        using var response = await account.Client.PostJsonAsync($"/api/devices/{id}/deactivate", null);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        await AccountChanges.AssertSessionEndedAsync(account);
    }

    [Theory]
    [InlineData("POST", "/api/devices/{0}/deactivate")]
    [InlineData("DELETE", "/api/devices/{0}")]
    public async Task Deactivate_AnotherUsersDevice_Returns404_AndItKeepsWorking(string method, string template)
    {
        var attacker = await TestAccount.CreateAsync(factory);
        var victim = await TestAccount.CreateAsync(factory);
        var victimDevice = (await ListAsync(victim)).Single().RequireString("id");

        using var response = await attacker.Client.SendEmptyAsync(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, template, victimDevice));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        await AccountChanges.AssertSessionAliveAsync(victim);
        using var refresh = await IdentityApi.RefreshAsync(factory.Anonymous(), victim.RefreshToken);
        await refresh.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/api/devices/00000000-0000-0000-0000-000000000000/deactivate")]
    [InlineData("/api/devices/not-a-guid/deactivate")]
    public async Task Deactivate_UnknownOrMalformedId_Returns404(string url)
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.SendEmptyAsync(HttpMethod.Post, url);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        await AccountChanges.AssertSessionAliveAsync(account);
    }

    [Theory]
    [InlineData("GET", "/api/devices")]
    [InlineData("GET", "/api/devices/identifier/abc")]
    [InlineData("POST", "/api/devices/00000000-0000-0000-0000-000000000001/deactivate")]
    [InlineData("DELETE", "/api/devices/00000000-0000-0000-0000-000000000001")]
    public async Task DeviceRoutes_WithoutAToken_Return401(string method, string url)
    {
        using var response = await factory.Anonymous().SendEmptyAsync(new HttpMethod(method), url);

        await response.ExpectStatusAsync(HttpStatusCode.Unauthorized);
    }

    private static async Task<List<JsonObject>> ListAsync(TestAccount account)
    {
        using var response = await account.Client.GetAsync("/api/devices");
        return [.. (await response.ExpectObjectAsync()).RequireArray("data").OfType<JsonObject>()];
    }
}
