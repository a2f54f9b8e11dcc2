using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Coffer.Client.Files;
using Coffer.Protocol.Api;

namespace Coffer.Client;

/// <summary>
/// Attachments, Sends and receiving a Send (bitwarden-sharing-features.md §1–§3), as the Bitwarden CLI calls them.
/// File bodies stream both ways through a second HttpClient on the same handler with no overall timeout (a 500 MB
/// transfer outlasts the API calls' 100 s), and download URLs are fetched with no bearer token: they carry their own.
/// </summary>
public sealed partial class CofferApiClient
{
    private const int TransferBufferLength = 1 << 16;

    /// <summary><c>POST /api/ciphers/{id}/attachment/v2</c> (§2.2): reserves a slot; the answer holds the cipher with the new entry.</summary>
    public Task<AttachmentUploadDataResponseModel> CreateAttachmentSlotAsync(Guid cipherId, AttachmentRequestModel request, CancellationToken ct = default) =>
        SendAsync<AttachmentUploadDataResponseModel>(HttpMethod.Post, $"api/ciphers/{cipherId}/attachment/v2", request, authenticated: true, ct);

    /// <summary>
    /// <c>POST /api/ciphers/{id}/attachment/{attachmentId}</c> (§2.3): the encrypted file as the single multipart part
    /// <c>data</c>, streamed from <paramref name="encrypted"/> (its remaining <paramref name="length"/> bytes).
    /// </summary>
    public Task UploadAttachmentAsync(Guid cipherId, string attachmentId, Stream encrypted, long length, IProgress<long>? progress = null, CancellationToken ct = default) =>
        UploadAsync($"api/ciphers/{cipherId}/attachment/{Uri.EscapeDataString(attachmentId)}", encrypted, length, progress, ct);

    /// <summary><c>GET /api/ciphers/{id}/attachment/{attachmentId}</c> (§2.5): a fresh absolute download URL.</summary>
    public Task<AttachmentResponseModel> GetAttachmentDownloadAsync(Guid cipherId, string attachmentId, CancellationToken ct = default) =>
        SendAsync<AttachmentResponseModel>(HttpMethod.Get, $"api/ciphers/{cipherId}/attachment/{Uri.EscapeDataString(attachmentId)}", null, authenticated: true, ct);

    /// <summary><c>DELETE /api/ciphers/{id}/attachment/{attachmentId}</c> (§2.6); also the rollback of a failed upload.</summary>
    public async Task DeleteAttachmentAsync(Guid cipherId, string attachmentId, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, $"api/ciphers/{cipherId}/attachment/{Uri.EscapeDataString(attachmentId)}", null, authenticated: true, ct);
    }

    /// <summary><c>POST /api/sends</c> (§3.4): a text Send.</summary>
    public Task<SendResponseModel> CreateSendAsync(SendRequestModel request, CancellationToken ct = default) =>
        SendAsync<SendResponseModel>(HttpMethod.Post, "api/sends", request, authenticated: true, ct);

    /// <summary><c>POST /api/sends/file/v2</c> (§3.5): a file Send, with <see cref="SendRequestModel.FileLength"/> the encrypted length.</summary>
    public Task<SendFileUploadDataResponseModel> CreateFileSendAsync(SendRequestModel request, CancellationToken ct = default) =>
        SendAsync<SendFileUploadDataResponseModel>(HttpMethod.Post, "api/sends/file/v2", request, authenticated: true, ct);

    /// <summary><c>POST /api/sends/{id}/file/{fileId}</c> (§3.5): the encrypted file, streamed like an attachment.</summary>
    public Task UploadSendFileAsync(Guid sendId, string fileId, Stream encrypted, long length, IProgress<long>? progress = null, CancellationToken ct = default) =>
        UploadAsync($"api/sends/{sendId}/file/{Uri.EscapeDataString(fileId)}", encrypted, length, progress, ct);

    /// <summary><c>GET /api/sends</c> (§3.6): the caller's Sends, with access counts as of now.</summary>
    public async Task<IReadOnlyList<SendResponseModel>> GetSendsAsync(CancellationToken ct = default) =>
        (await SendAsync<ListResponseModel<SendResponseModel>>(HttpMethod.Get, "api/sends", null, authenticated: true, ct)).Data;

    /// <summary><c>DELETE /api/sends/{id}</c> (§3.6): the Send and its file; also the rollback of a failed file upload.</summary>
    public async Task DeleteSendAsync(Guid sendId, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, $"api/sends/{sendId}", null, authenticated: true, ct);
    }

    /// <summary>
    /// The <c>send_access</c> grant (§3.8): a short-lived token for one Send, with the Send password hash when it has
    /// one. Failures throw <see cref="CofferApiException"/> whose <see cref="CofferApiException.Error"/> is the
    /// <c>send_access_error_type</c> (<c>send_id_invalid</c>, <c>password_hash_b64_required</c>,
    /// <c>password_hash_b64_invalid</c>, …) when the server gives one, else the OAuth <c>error</c>.
    /// </summary>
    public async Task<string> GetSendAccessTokenAsync(string accessId, string? passwordHash, CancellationToken ct = default)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("client_id", "send"),
            new("grant_type", "send_access"),
            new("scope", "api.send.access"),
            new("send_id", accessId),
        };
        if (passwordHash is not null)
        {
            form.Add(new("password_hash_b64", passwordHash));
        }

        using var response = await PostFormAsync(form, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            var error = CofferApiException.FromResponse(response.StatusCode, body);
            var type = SendAccessErrorType(body);
            throw type is null ? error : new CofferApiException(response.StatusCode, error.Message, type);
        }

        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.TryGetProperty("access_token", out var token) && token.GetString() is { Length: > 0 } text
            ? text
            : throw new CofferApiException("The server's Send access token answer has no access_token.");
    }

    /// <summary><c>POST /api/sends/access</c> with the Send token (§3.8): the encrypted <c>send-access</c> object.</summary>
    public Task<SendAccessResponseModel> AccessSendAsync(string sendAccessToken, CancellationToken ct = default) =>
        SendWithTokenAsync<SendAccessResponseModel>("api/sends/access", sendAccessToken, ct);

    /// <summary><c>POST /api/sends/access/file/{fileId}</c> with the Send token (§3.8): the file's download URL (counts an access).</summary>
    public Task<SendFileDownloadDataResponseModel> GetSendFileDownloadAsync(string sendAccessToken, string fileId, CancellationToken ct = default) =>
        SendWithTokenAsync<SendFileDownloadDataResponseModel>($"api/sends/access/file/{Uri.EscapeDataString(fileId)}", sendAccessToken, ct);

    /// <summary>
    /// Streams the body of a download URL (absolute, self-authorising; fetched without a bearer token) into
    /// <paramref name="destination"/>. Only 200 is success (§1.3). Stops with an error past <paramref name="maxBytes"/>
    /// so that a misbehaving server cannot fill the disk. Returns the bytes written.
    /// </summary>
    public async Task<long> DownloadAsync(string url, Stream destination, long maxBytes, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new CofferApiException($"The server gave a download URL that is not an absolute http(s) URL: '{url}'.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        using var response = await SendCoreAsync(_transfer, request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw CofferApiException.FromResponse(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }

        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[TransferBufferLength];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                throw new CofferApiException($"The download is larger than the {maxBytes} bytes the server announced for it.");
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), ct);
            progress?.Report(total);
        }

        return total;
    }

    private async Task UploadAsync(string path, Stream encrypted, long length, IProgress<long>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(encrypted);
        using var file = new UploadContent(encrypted, length, progress);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var form = new MultipartFormDataContent();

        // The server ignores the part's file name (§1.2: the Bitwarden CLI sends a truncated one); it has the encrypted name.
        form.Add(file, "data", "blob");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken ?? throw new CofferApiException("Not logged in."));
        using var response = await SendCoreAsync(_transfer, request, HttpCompletionOption.ResponseContentRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw CofferApiException.FromResponse(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }
    }

    private async Task<T> SendWithTokenAsync<T>(string path, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await SendCoreAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode ? Deserialize<T>(body) : throw CofferApiException.FromResponse(response.StatusCode, body);
    }

    private static string? SendAccessErrorType(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && CofferApiException.Property(doc.RootElement, "send_access_error_type") is { ValueKind: JsonValueKind.String } type
                ? type.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A request body streamed from a file with a known length (so no chunked encoding), reporting bytes sent.</summary>
    private sealed class UploadContent(Stream source, long totalLength, IProgress<long>? progress) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            var buffer = new byte[TransferBufferLength];
            long sent = 0;
            while (sent < totalLength)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, totalLength - sent)), cancellationToken);
                if (read == 0)
                {
                    throw new IOException($"The file ended after {sent} of {totalLength} bytes.");
                }

                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                sent += read;
                progress?.Report(sent);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = totalLength;
            return true;
        }
    }
}
