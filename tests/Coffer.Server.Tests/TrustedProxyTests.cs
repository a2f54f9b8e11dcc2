using System.Net;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// X-Forwarded-For names the client only when the connection comes from a proxy in <c>Coffer:TrustedProxies</c>;
/// anyone else who sends it is counted by their own address, so the header cannot dodge a rate limit.
/// </summary>
public sealed class TrustedProxyTests
{
    private static readonly IPAddress Proxy = IPAddress.Parse("10.0.0.1");

    [Fact]
    public async Task ForwardedFor_FromAnUntrustedPeer_IsIgnored()
    {
        await using var factory = BehindProxies();
        var attacker = factory.ClientFrom(IPAddress.Parse("198.51.100.7"));
        for (var i = 0; i < 10; i++)
        {
            using var guess = await GuessAsync(attacker, forwardedFor: AbuseApi.Address(i + 1).ToString());
            AbuseApi.AssertNotLimited(guess);
        }

        using var limited = await GuessAsync(attacker, forwardedFor: AbuseApi.Address(50).ToString());

        await limited.ExpectTooManyRequestsAsync(maxSeconds: 60);
    }

    [Fact]
    public async Task ForwardedFor_FromATrustedProxy_CountsEachClientApart()
    {
        await using var factory = BehindProxies();
        var proxy = factory.ClientFrom(Proxy);
        for (var i = 0; i < 11; i++)
        {
            using var guess = await GuessAsync(proxy, forwardedFor: AbuseApi.Address(100 + i).ToString());
            await guess.ExpectStatusAsync(HttpStatusCode.BadRequest);
        }

        // A client behind the proxy that spoofs an extra hop is still counted as itself: the walk stops at the
        // first address the proxy did not vouch for.
        for (var i = 0; i < 10; i++)
        {
            using var guess = await GuessAsync(proxy, forwardedFor: $"{AbuseApi.Address(200 + i)}, {AbuseApi.Address(150)}");
            AbuseApi.AssertNotLimited(guess);
        }

        using var limited = await GuessAsync(proxy, forwardedFor: $"{AbuseApi.Address(220)}, {AbuseApi.Address(150)}");
        await limited.ExpectTooManyRequestsAsync(maxSeconds: 60);
    }

    [Fact]
    public async Task ForwardedFor_FromATrustedNetwork_IsBelieved()
    {
        await using var factory = BehindProxies();
        var proxy = factory.ClientFrom(IPAddress.Parse("fd12:3456::1"));
        for (var i = 0; i < 11; i++)
        {
            using var guess = await GuessAsync(proxy, forwardedFor: AbuseApi.Address(30 + i).ToString());
            await guess.ExpectStatusAsync(HttpStatusCode.BadRequest);
        }
    }

    private static CofferFactory BehindProxies()
    {
        var factory = new CofferFactory().WithProductionLimits();
        factory.Settings["Coffer:TrustedProxies:0"] = Proxy.ToString();
        factory.Settings["Coffer:TrustedProxies:1"] = "fd00::/8";
        return factory;
    }

    private static async Task<HttpResponseMessage> GuessAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, IdentityApi.TokenUrl);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        request.Content = new FormUrlEncodedContent(Payloads.PasswordGrant(Fake.Email(), Fake.MasterPasswordHash(), Fake.DeviceIdentifier()));
        return await client.SendAsync(request);
    }
}
