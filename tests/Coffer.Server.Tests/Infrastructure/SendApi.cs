using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>Send requests as the clients make them (<c>bitwarden-sharing-features.md</c> §3.4–§3.9).</summary>
public static class SendApi
{
    /// <summary>A text Send body as <c>bw send</c> posts it; <paramref name="passwordHash"/> absent means no password (authType 2).</summary>
    public static JsonObject Text(string? passwordHash = null, int? maxAccessCount = null, DateTime? expiration = null, DateTime? deletion = null, bool hideEmail = false)
    {
        var body = Common(0, passwordHash, maxAccessCount, expiration, deletion, hideEmail);
        body["text"] = new JsonObject { ["response"] = null, ["text"] = Fake.EncString(), ["hidden"] = false };
        return body;
    }

    /// <summary>A file Send body for <c>POST /api/sends/file/v2</c> declaring <paramref name="fileLength"/> encrypted bytes.</summary>
    public static JsonObject File(long fileLength, string? passwordHash = null, int? maxAccessCount = null)
    {
        var body = Common(1, passwordHash, maxAccessCount, null, null, false);
        body["fileLength"] = fileLength;
        body["file"] = new JsonObject { ["response"] = null, ["fileName"] = Fake.EncString() };
        return body;
    }

    private static JsonObject Common(int type, string? passwordHash, int? maxAccessCount, DateTime? expiration, DateTime? deletion, bool hideEmail)
    {
        var body = new JsonObject
        {
            ["type"] = type,
            ["name"] = Fake.EncString(),
            ["notes"] = Fake.EncString(),
            ["maxAccessCount"] = maxAccessCount,
            ["expirationDate"] = expiration?.ToString("O"),
            ["deletionDate"] = (deletion ?? TimeProvider.System.GetUtcNow().UtcDateTime.AddDays(7)).ToString("O"),
            ["key"] = Fake.EncString(),
            ["emails"] = null,
            ["disabled"] = false,
            ["hideEmail"] = hideEmail,
            ["authType"] = passwordHash is null ? 2 : 1,
        };
        if (passwordHash is not null)
        {
            body["password"] = passwordHash;
        }

        return body;
    }

    /// <summary>An EncArrayBuffer-shaped file (type 2, IV, MAC, <paramref name="blocks"/> ciphertext blocks) of random bytes.</summary>
    public static byte[] EncryptedFile(int blocks = 2)
    {
        var bytes = RandomNumberGenerator.GetBytes(1 + 16 + 32 + (16 * blocks));
        bytes[0] = 2;
        return bytes;
    }

    public static async Task<JsonObject> CreateTextAsync(TestAccount owner, JsonObject? body = null)
    {
        using var response = await owner.Client.PostJsonAsync("/api/sends", body ?? Text());
        return await response.ExpectObjectAsync();
    }

    /// <summary>Creates a file Send and uploads <paramref name="file"/> to it; returns the v2 answer's Send.</summary>
    public static async Task<JsonObject> CreateFileAsync(TestAccount owner, byte[] file, string? passwordHash = null, int? maxAccessCount = null)
    {
        using var response = await owner.Client.PostJsonAsync("/api/sends/file/v2", File(file.Length, passwordHash, maxAccessCount));
        var slot = await response.ExpectObjectAsync();
        var send = Assert.IsType<JsonObject>(slot["sendResponse"]);
        using var upload = await UploadAsync(owner.Client, send.RequireString("id"), send["file"].RequireString("id"), file);
        await upload.ExpectStatusAsync(System.Net.HttpStatusCode.OK);
        return send;
    }

    /// <summary>The direct upload (§1.2): one multipart part named <c>data</c>, with the CLI's truncated file name.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string sendId, string fileId, byte[] file)
    {
        using var content = new MultipartFormDataContent();
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(part, "data", "nZpXOM=");
        return await client.PostAsync($"/api/sends/{sendId}/file/{fileId}", content);
    }

    /// <summary>The <c>send_access</c> grant as the CLI's SDK sends it (§3.8 step 1).</summary>
    public static Task<HttpResponseMessage> GrantAsync(HttpClient client, string accessId, string? passwordHash = null)
    {
        var form = new Dictionary<string, string>
        {
            ["client_id"] = "send",
            ["grant_type"] = "send_access",
            ["scope"] = "api.send.access",
            ["send_id"] = accessId,
        };
        if (passwordHash is not null)
        {
            form["password_hash_b64"] = passwordHash;
        }

        return client.PostFormAsync(IdentityApi.TokenUrl, form);
    }

    /// <summary>A Send access token for <paramref name="accessId"/>; fails the test unless the grant succeeds.</summary>
    public static async Task<string> TokenAsync(HttpClient client, string accessId, string? passwordHash = null)
    {
        using var response = await GrantAsync(client, accessId, passwordHash);
        var json = await response.ExpectObjectAsync();
        return json.RequireString("access_token");
    }

    /// <summary><c>POST /api/sends/access</c> (or <paramref name="path"/>) with a Bearer token and an empty body.</summary>
    public static async Task<HttpResponseMessage> WithTokenAsync(HttpClient client, string token, string path = "/api/sends/access")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    /// <summary>A password hash as the client sends it (Base64 of 32 bytes; its derivation does not matter to the server).</summary>
    public static string PasswordHash() => Fake.Base64(32);
}
