using System.Net;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Sends;

/// <summary>
/// S-6 (<c>bitwarden-sharing-features.md</c> §3.8, §3.11): a Send password cannot be guessed at network speed. With
/// Coffer's default limits, one address gets 10 Send access requests a minute, and one Send 10 wrong passwords per 15
/// minutes from all addresses together.
/// </summary>
public sealed class SendLimitTests(RateLimitTests.DefaultLimitsFactory server) : IClassFixture<RateLimitTests.DefaultLimitsFactory>
{
    private CofferFactory Factory => server.Factory;

    [Fact]
    public async Task WrongPasswordGuesses_FromOneAddress_Get429LongBefore1000()
    {
        var owner = await TestAccount.CreateAsync(Factory);
        var send = await SendApi.CreateTextAsync(owner, SendApi.Text(SendApi.PasswordHash()));
        var attacker = Factory.ClientFrom(AbuseApi.Address(61));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            using var guess = i % 2 == 0
                ? await SendApi.GrantAsync(attacker, send.RequireString("accessId"), SendApi.PasswordHash())
                : await attacker.PostJsonAsync($"/api/sends/access/{send.RequireString("accessId")}", new System.Text.Json.Nodes.JsonObject { ["password"] = SendApi.PasswordHash() });
            statuses.Add(guess.StatusCode);
        }

        Assert.All(statuses.Take(10), s => Assert.Equal(HttpStatusCode.BadRequest, s));
        Assert.All(statuses.Skip(10), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }

    [Fact]
    public async Task WrongPasswordGuesses_FromManyAddresses_LockTheSendsPasswordForItsWindow()
    {
        var owner = await TestAccount.CreateAsync(Factory);
        var hash = SendApi.PasswordHash();
        var send = await SendApi.CreateTextAsync(owner, SendApi.Text(hash));
        for (var i = 0; i < 10; i++)
        {
            using var guess = await SendApi.GrantAsync(Factory.ClientFrom(AbuseApi.Address(100 + i)), send.RequireString("accessId"), SendApi.PasswordHash());
            await guess.ExpectStatusAsync(HttpStatusCode.BadRequest);
        }

        using var right = await SendApi.GrantAsync(Factory.ClientFrom(AbuseApi.Address(120)), send.RequireString("accessId"), hash);
        var error = await right.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("password_hash_b64_invalid", (string?)error["send_access_error_type"]);

        Factory.Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.NotEmpty(await SendApi.TokenAsync(Factory.ClientFrom(AbuseApi.Address(121)), send.RequireString("accessId"), hash));
    }
}
