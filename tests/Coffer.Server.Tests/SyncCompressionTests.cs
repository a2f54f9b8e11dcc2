using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Coffer.Server.Hosting;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.Organizations;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// <c>GET /api/sync</c> response encodings (Sync/SyncBody): gzip when the client offers it and the vault is personal,
/// identity otherwise, the same JSON either way, and large bodies whole over Kestrel's HTTPS.
/// </summary>
public sealed class SyncCompressionTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private const string SyncPath = "/api/sync?excludeDomains=true";

    [Fact]
    public async Task Sync_WithoutAcceptEncoding_AnswersIdentity()
    {
        var account = await AccountWithItemsAsync(3);

        using var response = await GetSyncAsync(account.Client, null);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.Equal(3, JsonNode.Parse(body).RequireArray("ciphers").Count);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("gzip, deflate, br, zstd")]
    [InlineData("br;q=1.0, gzip;q=0.5")]
    public async Task Sync_AcceptingGzip_AnswersTheSameJsonGzipped(string acceptEncoding)
    {
        var account = await AccountWithItemsAsync(5);
        var identity = await SyncBytesAsync(account.Client, null);

        using var response = await GetSyncAsync(account.Client, acceptEncoding);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var compressed = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(compressed.Length, response.Content.Headers.ContentLength);
        Assert.True(compressed.Length < identity.Length / 2, $"gzip body {compressed.Length} bytes against {identity.Length} identity");
        Assert.Equal(identity, Gunzip(compressed));
    }

    [Theory]
    [InlineData("gzip;q=0, br, deflate")]
    [InlineData("br")]
    [InlineData("identity")]
    [InlineData("*")]
    public async Task Sync_WithoutAnAcceptableGzip_AnswersIdentity(string acceptEncoding)
    {
        var account = await AccountWithItemsAsync(2);
        var identity = await SyncBytesAsync(account.Client, null);

        using var response = await GetSyncAsync(account.Client, acceptEncoding);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal(identity, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Sync_Gzipped_AfterAChange_AnswersTheNewVault()
    {
        var account = await AccountWithItemsAsync(2);
        var before = Gunzip(await SyncBytesAsync(account.Client, "gzip"));

        var folder = await account.CreateFolderAsync();
        var after = JsonNode.Parse(Gunzip(await SyncBytesAsync(account.Client, "gzip")));

        Assert.Empty(JsonNode.Parse(before).RequireArray("folders"));
        Assert.Equal(folder.RequireString("id"), Assert.Single(after.RequireArray("folders")).RequireString("id"));
        Assert.Equal(await SyncBytesAsync(account.Client, null), Gunzip(await SyncBytesAsync(account.Client, "gzip")));
    }

    [Fact]
    public async Task Sync_OfAnOrganizationMember_IsNeverCompressed()
    {
        // Other members write into an organization's part of the body: no compression, so no BREACH oracle (SECURITY.md).
        var organization = await OrgHarness.CreateAsync(factory);
        await organization.Owner.CreateItemAsync(organization.Id, organization.FirstCollectionId!.Value);

        using var response = await GetSyncAsync(organization.Owner.Client, "gzip, deflate, br");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.DoesNotContain("Accept-Encoding", response.Headers.Vary);
        var sync = JsonNode.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.Single(sync!["profile"].RequireArray("organizations"));
        Assert.Single(sync.RequireArray("ciphers"));
    }

    [Fact]
    public async Task Sync_OverKestrelHttps_LargeVault_ArrivesWholeInBothEncodings()
    {
        await using var server = new CofferFactory();
        server.Settings["urls"] = "https://127.0.0.1:0";
        server.UseKestrel();
        server.StartServer();
        var address = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(TlsCertificate.CertificatePath(server.DataFolder));
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString() },
        })
        { BaseAddress = new Uri(address) };
        var credentials = Credentials.New();
        await IdentityApi.RegisterAsync(client, credentials);
        var token = await IdentityApi.LoginAsync(client, credentials, Fake.DeviceIdentifier());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.RequireString("access_token"));
        await ImportAsync(client, 400);

        var identity = await SyncBytesAsync(client, null);
        var gzipped = await SyncBytesAsync(client, "gzip");

        // Several 64 KiB chunks and several 256 KiB flushes (Sync/SyncBody).
        Assert.True(identity.Length > 3 * 256 * 1024, $"the vault renders {identity.Length} bytes");
        Assert.Equal(400, JsonNode.Parse(identity).RequireArray("ciphers").Count);
        Assert.Equal(identity, Gunzip(gzipped));
        Assert.Equal(identity, await SyncBytesAsync(client, null));
    }

    private async Task<TestAccount> AccountWithItemsAsync(int items)
    {
        var account = await TestAccount.CreateAsync(factory);
        await ImportAsync(account.Client, items);
        return account;
    }

    private static async Task ImportAsync(HttpClient client, int items)
    {
        var body = new JsonObject
        {
            ["ciphers"] = new JsonArray([.. Enumerable.Range(0, items).Select(_ => (JsonNode)Payloads.LoginCipher())]),
            ["folders"] = new JsonArray(),
            ["folderRelationships"] = new JsonArray(),
        };
        using var response = await client.PostJsonAsync("/api/ciphers/import", body);
        await response.ExpectSuccessAsync();
    }

    private static async Task<HttpResponseMessage> GetSyncAsync(HttpClient client, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, SyncPath);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        return await client.SendAsync(request);
    }

    private static async Task<byte[]> SyncBytesAsync(HttpClient client, string? acceptEncoding)
    {
        using var response = await GetSyncAsync(client, acceptEncoding);
        await response.ExpectStatusAsync(HttpStatusCode.OK);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static byte[] Gunzip(byte[] compressed)
    {
        using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
