using System.Net;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// Expiry, checked by moving the server's <see cref="TimeProvider"/> forward. These tests shift the clock of their
/// own factory, so they live apart from everything else.
/// </summary>
public sealed class TokenLifetimeTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task AccessToken_AfterExpiry_Returns401()
    {
        var account = await TestAccount.CreateAsync(factory);
        factory.Clock.Advance(TimeSpan.FromSeconds(3600 + 600));

        using var response = await account.Client.GetAsync("/api/sync?excludeDomains=true");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AccessToken_ShortlyBeforeExpiry_StillWorks()
    {
        var account = await TestAccount.CreateAsync(factory);
        factory.Clock.Advance(TimeSpan.FromMinutes(50));

        using var response = await account.Client.GetAsync("/api/sync?excludeDomains=true");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RefreshToken_AfterAccessTokenExpiry_IssuesAWorkingToken()
    {
        var account = await TestAccount.CreateAsync(factory);
        factory.Clock.Advance(TimeSpan.FromHours(2));

        using var refresh = await IdentityApi.RefreshAsync(factory.CreateClient(), account.RefreshToken);
        var token = await refresh.ExpectObjectAsync();
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.RequireString("access_token"));
        using var response = await client.GetAsync("/api/sync?excludeDomains=true");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }
}
