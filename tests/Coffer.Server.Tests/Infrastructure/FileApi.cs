using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Coffer.Server.Files;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>
/// Attachments as the clients drive them (<c>bitwarden-sharing-features.md</c> §2): reserve a slot, upload the
/// multipart body the CLI sends (one part <c>data</c>, a truncated file name), ask for a download URL, fetch it with
/// no access token.
/// </summary>
public static class FileApi
{
    /// <summary>
    /// Random bytes shaped like the EncArrayBuffer of a <paramref name="plaintextLength"/>-byte file (§1.1): type 2, IV,
    /// MAC, then <c>16·(floor(n/16)+1)</c> bytes of ciphertext. The server checks only the shape.
    /// </summary>
    public static byte[] EncryptedFile(int plaintextLength = 17)
    {
        var bytes = RandomNumberGenerator.GetBytes(1 + 16 + 32 + (16 * ((plaintextLength / 16) + 1)));
        bytes[0] = 2;
        return bytes;
    }

    public static JsonObject SlotRequest(JsonNode? fileSize, bool adminRequest = false, string? lastKnownRevisionDate = null) => new()
    {
        ["key"] = Fake.EncString(),
        ["fileName"] = Fake.EncString(),
        ["fileSize"] = fileSize,
        ["adminRequest"] = adminRequest,
        ["lastKnownRevisionDate"] = lastKnownRevisionDate,
    };

    public static Task<HttpResponseMessage> ReserveRequestAsync(this TestAccount account, string cipherId, long fileSize) =>
        account.Client.PostJsonAsync($"/api/ciphers/{cipherId}/attachment/v2", SlotRequest(fileSize));

    /// <summary>Reserves a slot of <paramref name="fileSize"/> bytes; the v2 answer (§2.2).</summary>
    public static async Task<JsonObject> ReserveAsync(this TestAccount account, string cipherId, long fileSize)
    {
        using var response = await account.ReserveRequestAsync(cipherId, fileSize);
        return await response.ExpectObjectAsync();
    }

    /// <summary>The body the CLI sends (§1.2): one part named <c>data</c> whose file name is the tail of the EncString.</summary>
    public static MultipartFormDataContent Multipart(byte[] data, string partName = "data")
    {
        var content = new MultipartFormDataContent("--------------------------8e73ff779e1b67c617f57ef4");
        var file = new ByteArrayContent(data);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(file, partName, "nZpXOM=");
        return content;
    }

    public static async Task<HttpResponseMessage> UploadRequestAsync(this TestAccount account, string cipherId, string attachmentId, byte[] data)
    {
        using var content = Multipart(data);
        return await account.Client.PostAsync(new Uri($"/api/ciphers/{cipherId}/attachment/{attachmentId}", UriKind.Relative), content);
    }

    /// <summary>An attachment uploaded to <paramref name="cipherId"/> (a new item when null): its item, id and bytes.</summary>
    public static async Task<(string CipherId, string AttachmentId, byte[] Bytes)> AddAttachmentAsync(this TestAccount account, string? cipherId = null, int plaintextLength = 17)
    {
        cipherId ??= (await account.CreateCipherAsync()).RequireString("id");
        var bytes = EncryptedFile(plaintextLength);
        var slot = await account.ReserveAsync(cipherId, bytes.Length);
        var attachmentId = slot.RequireString("attachmentId");
        using var upload = await account.UploadRequestAsync(cipherId, attachmentId, bytes);
        await upload.ExpectSuccessAsync();
        return (cipherId, attachmentId, bytes);
    }

    /// <summary>The <c>url</c> of <c>GET /api/ciphers/{id}/attachment/{attachmentId}</c> (§2.5).</summary>
    public static async Task<string> DownloadUrlAsync(this TestAccount account, string cipherId, string attachmentId)
    {
        using var response = await account.Client.GetAsync(new Uri($"/api/ciphers/{cipherId}/attachment/{attachmentId}", UriKind.Relative));
        return (await response.ExpectObjectAsync()).RequireString("url");
    }

    /// <summary>Fetches a download URL as the clients do: no access token, the URL's path and query only.</summary>
    public static async Task<HttpResponseMessage> DownloadAsync(this CofferFactory factory, string url)
    {
        using var anonymous = factory.Anonymous();
        return await anonymous.GetAsync(new Uri(new Uri(url).PathAndQuery, UriKind.Relative));
    }

    /// <summary>The bytes behind a download URL, which must answer 200 with <c>application/octet-stream</c>.</summary>
    public static async Task<byte[]> DownloadBytesAsync(this CofferFactory factory, string url)
    {
        using var response = await factory.DownloadAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>The stored blob of an attachment, or null when the store has none.</summary>
    public static async Task<byte[]?> StoredAttachmentAsync(this CofferFactory factory, string cipherId, string attachmentId)
    {
        var store = factory.Services.GetRequiredService<IBlobStore>();
        await using var content = await store.OpenReadAsync(BlobKeys.Attachment(Guid.Parse(cipherId), attachmentId), CancellationToken.None);
        if (content is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await content.Stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Bytes counted against an account's quota (reserved slots included).</summary>
    public static async Task<long> UsedStorageAsync(this CofferFactory factory, string userId)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<StorageQuota>().UsedByAccountAsync(Guid.Parse(userId), CancellationToken.None);
    }
}
