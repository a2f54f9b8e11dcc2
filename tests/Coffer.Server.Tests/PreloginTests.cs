using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>§4.2: the KDF lookup that precedes every login, and its anti-enumeration answer for unknown e-mails.</summary>
public sealed class PreloginTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private readonly HttpClient client = factory.Anonymous();

    public static TheoryData<string, int> Routes => new()
    {
        { IdentityApi.PreloginUrl, 0 },
        { IdentityApi.PreloginUrl, 1 },
        { IdentityApi.LegacyPreloginUrl, 0 },
        { IdentityApi.LegacyPreloginUrl, 1 },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Prelogin_KnownEmail_ReturnsItsKdfAndSalt(string route, int kdfType)
    {
        var kdf = kdfType == 0 ? new Kdf(0, 650_000) : new Kdf(1, 4, 48, 2);
        var account = Credentials.New(kdf);
        await IdentityApi.RegisterAsync(client, account);

        var prelogin = await IdentityApi.PreloginAsync(client, account.Email, route);

        var settings = Assert.IsType<JsonObject>(prelogin["kdfSettings"]);
        Assert.Equal(kdf.Type, (int?)settings["kdfType"]);
        Assert.Equal(kdf.Iterations, (int?)settings["iterations"]);
        Assert.Equal(kdf.Memory, (int?)settings["memory"]);
        Assert.Equal(kdf.Parallelism, (int?)settings["parallelism"]);
        Assert.Equal(kdf.Type, (int?)prelogin["kdf"]);
        Assert.Equal(kdf.Iterations, (int?)prelogin["kdfIterations"]);
        Assert.Equal(kdf.Memory, (int?)prelogin["kdfMemory"]);
        Assert.Equal(kdf.Parallelism, (int?)prelogin["kdfParallelism"]);
        Assert.Equal(account.Salt, (string?)prelogin["salt"]);
    }

    [Fact]
    public async Task Prelogin_UnknownEmail_IsStableAndIndistinguishable()
    {
        var known = Credentials.New();
        await IdentityApi.RegisterAsync(client, known);
        var unknownEmail = Fake.Email();

        var knownAnswer = await IdentityApi.PreloginAsync(client, known.Email);
        var first = await IdentityApi.PreloginAsync(client, unknownEmail);
        var second = await IdentityApi.PreloginAsync(client, unknownEmail);
        var legacy = await IdentityApi.PreloginAsync(client, unknownEmail, IdentityApi.LegacyPreloginUrl);

        Assert.True(JsonNode.DeepEquals(first, second), $"{first.ToJsonString()} != {second.ToJsonString()}");
        Assert.True(JsonNode.DeepEquals(first, legacy), $"{first.ToJsonString()} != {legacy.ToJsonString()}");
        Assert.Equal(Shape(knownAnswer), Shape(first));
        Assert.Equal(unknownEmail, (string?)first["salt"]);
    }

    [Fact]
    public async Task Prelogin_UnknownEmail_ReturnsSettingsTheClientAccepts()
    {
        var prelogin = await IdentityApi.PreloginAsync(client, Fake.Email());

        var settings = prelogin["kdfSettings"];
        switch ((int?)settings?["kdfType"])
        {
            case 0:
                Assert.InRange((int)settings!["iterations"]!, 600_000, 2_000_000);
                break;
            case 1:
                Assert.InRange((int)settings!["iterations"]!, 2, 10);
                Assert.InRange((int)settings["memory"]!, 16, 1024);
                Assert.InRange((int)settings["parallelism"]!, 1, 16);
                break;
            default:
                Assert.Fail($"unexpected KDF in {prelogin.ToJsonString()}");
                break;
        }
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"email\":null}")]
    [InlineData("{\"email\":42}")]
    [InlineData("not json")]
    public async Task Prelogin_InvalidBody_Returns400(string body)
    {
        using var response = await client.SendRawAsync(HttpMethod.Post, IdentityApi.PreloginUrl, body);

        await response.ExpectBitwardenErrorAsync(System.Net.HttpStatusCode.BadRequest);
    }

    /// <summary>Property names with the JSON kind of each value: what an observer can compare without knowing secrets.</summary>
    private static string Shape(JsonObject json) => string.Join(
        ",",
        json.Select(p => $"{p.Key}:{Kind(p.Value)}").Order(StringComparer.Ordinal));

    private static string Kind(JsonNode? node) => node switch
    {
        JsonObject o => "{" + Shape(o) + "}",
        null => "null-or-number",
        _ => node.GetValueKind() is JsonValueKind.Number ? "null-or-number" : node.GetValueKind().ToString(),
    };
}
