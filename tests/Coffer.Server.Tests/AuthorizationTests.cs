using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// §1.3–1.4: every rejected token on <c>/api</c> is a 401. A 403 would log the CLI out for good, so it must never
/// appear for an authentication failure.
/// </summary>
public sealed class AuthorizationTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    public static TheoryData<string> ProtectedRoutes => new()
    {
        "GET /api/sync?excludeDomains=true",
        "GET /api/accounts/revision-date",
        "GET /api/accounts/profile",
        "GET /api/folders",
        "GET /api/ciphers",
        "POST /api/folders",
        "POST /api/ciphers",
        "POST /api/accounts/key-management/user-key-id",
        "PUT /api/ciphers/00000000-0000-0000-0000-000000000001/delete",
    };

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task ProtectedRoute_WithoutToken_Returns401(string route)
    {
        using var response = await SendAsync(factory.CreateClient(), route);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("tampered signature")]
    [InlineData("tampered subject")]
    [InlineData("tampered expiry")]
    [InlineData("alg none")]
    [InlineData("alg none without signature segment")]
    [InlineData("signed with another key")]
    [InlineData("refresh token as access token")]
    [InlineData("basic scheme")]
    [InlineData("empty bearer")]
    public async Task Sync_WithInvalidToken_Returns401(string defect)
    {
        var account = await TestAccount.CreateAsync(factory);
        var victim = await TestAccount.CreateAsync(factory);
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = Forge(defect, account, victim);

        using var response = await client.GetAsync("/api/sync?excludeDomains=true");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Sync_WithValidToken_Returns200()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.GetAsync("/api/sync?excludeDomains=true");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AccessToken_OfOneAccount_SeesOnlyThatAccount()
    {
        var alice = await TestAccount.CreateAsync(factory);
        var bob = await TestAccount.CreateAsync(factory);

        var aliceSync = await alice.SyncAsync();
        var bobSync = await bob.SyncAsync();

        Assert.Equal(alice.UserId, (string?)aliceSync["profile"]?["id"]);
        Assert.Equal(bob.UserId, (string?)bobSync["profile"]?["id"]);
        Assert.NotEqual(alice.UserId, bob.UserId);
    }

    private static AuthenticationHeaderValue Forge(string defect, TestAccount account, TestAccount victim)
    {
        var (header, payload, signature) = Jwt.Decode(account.AccessToken);
        var parts = account.AccessToken.Split('.');
        switch (defect)
        {
            case "garbage":
                return new("Bearer", "not.a.jwt");
            case "tampered signature":
                var flipped = signature[0] == 'A' ? 'B' : 'A';
                return new("Bearer", $"{parts[0]}.{parts[1]}.{flipped}{signature[1..]}");
            case "tampered subject":
                payload["sub"] = victim.UserId;
                return new("Bearer", Jwt.Encode(header, payload, signature));
            case "tampered expiry":
                payload["exp"] = (long)payload["exp"]! + 86_400;
                return new("Bearer", Jwt.Encode(header, payload, signature));
            case "alg none":
                payload["sub"] = victim.UserId;
                return new("Bearer", Jwt.Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" }, payload, ""));
            case "alg none without signature segment":
                var noneHeader = Jwt.Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" }, payload, "");
                return new("Bearer", noneHeader.TrimEnd('.'));
            case "signed with another key":
                var unsigned = $"{parts[0]}.{parts[1]}";
                var mac = HMACSHA256.HashData(RandomNumberGenerator.GetBytes(64), Encoding.ASCII.GetBytes(unsigned));
                return new("Bearer", $"{unsigned}.{System.Buffers.Text.Base64Url.EncodeToString(mac)}");
            case "refresh token as access token":
                return new("Bearer", account.RefreshToken);
            case "basic scheme":
                return new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.Email}:{account.Credentials.MasterPasswordHash}")));
            case "empty bearer":
                return new("Bearer", " ");
            default:
                throw new ArgumentOutOfRangeException(nameof(defect), defect, null);
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string route)
    {
        var space = route.IndexOf(' ', StringComparison.Ordinal);
        var method = new HttpMethod(route[..space]);
        var url = route[(space + 1)..];
        return method == HttpMethod.Get
            ? await client.GetAsync(url)
            : await client.SendRawAsync(method, url, "{}");
    }
}
