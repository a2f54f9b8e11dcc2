using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>The identity routes take at most 16 KiB: an anonymous caller cannot make the server buffer and parse more.</summary>
public sealed class RequestSizeTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private const int IdentityLimit = 16 * 1024;

    [Theory]
    [InlineData(IdentityApi.PreloginUrl)]
    [InlineData(IdentityApi.LegacyPreloginUrl)]
    [InlineData(IdentityApi.RegisterFinishUrl)]
    [InlineData(IdentityApi.SendVerificationEmail)]
    [InlineData(IdentityApi.LegacyRegisterUrl)]
    public async Task IdentityRoute_JsonOver16KiB_Returns413(string url)
    {
        using var response = await factory.CreateClient().SendRawAsync(HttpMethod.Post, url, PaddedJson(IdentityLimit + 1));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task TokenEndpoint_FormOver16KiB_Returns413()
    {
        var form = Payloads.PasswordGrant(Fake.Email(), Fake.MasterPasswordHash(), Fake.DeviceIdentifier());
        form["padding"] = new string('a', IdentityLimit);

        using var response = await factory.CreateClient().PostFormAsync(IdentityApi.TokenUrl, form);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task IdentityRoute_JustUnder16KiB_IsAccepted()
    {
        using var response = await factory.CreateClient().SendRawAsync(HttpMethod.Post, IdentityApi.PreloginUrl, PaddedJson(IdentityLimit));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ApiRoute_Over16KiB_KeepsTheOrdinaryLimit()
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipher = Payloads.LoginCipher();
        // About 24 KB of item within every per-field limit (notes 10 000 characters, URIs 10 000 each).
        cipher["notes"] = "2." + Fake.Base64(16) + "|" + Fake.Base64(6000) + "|" + Fake.Base64(32);
        cipher["login"]!["uris"] = new JsonArray(
            new JsonObject { ["uri"] = "2." + Fake.Base64(16) + "|" + Fake.Base64(6000) + "|" + Fake.Base64(32), ["match"] = null },
            new JsonObject { ["uri"] = "2." + Fake.Base64(16) + "|" + Fake.Base64(6000) + "|" + Fake.Base64(32), ["match"] = null });
        Assert.True(cipher.ToJsonString().Length > IdentityLimit + 4096);

        using var response = await account.Client.PostJsonAsync("/api/ciphers", cipher);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    /// <summary>A prelogin body of exactly <paramref name="bytes"/> UTF-8 bytes.</summary>
    private static string PaddedJson(int bytes)
    {
        var head = new JsonObject { ["email"] = Fake.Email(), ["padding"] = "" }.ToJsonString();
        var json = head.Insert(head.Length - 2, new string('a', bytes - head.Length));
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(json));
        return json;
    }
}
