using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Coffer.Client.Crypto;
using Coffer.Client.Integrity;
using Coffer.Protocol.Api;

namespace Coffer.Client;

/// <summary>
/// The Bitwarden client surface as the official clients speak it (protocol §1–§5), over one HttpClient.
/// Holds no secrets beyond the current access token; persisting tokens (refresh tokens rotate) is the caller's job.
/// </summary>
public sealed partial class CofferApiClient : IDisposable
{
    /// <summary>LinuxCLI in Bitwarden's DeviceType enum: the server treats us as the command-line client we are.</summary>
    public const int DeviceType = 25;

    // The official CLI's OAuth client id: servers know it, and the refresh grant echoes it back (protocol §4.3.2).
    public const string ClientId = "cli";

    private const string ClientVersion = "2026.9.0";

    private readonly HttpClient _http;
    private readonly HttpClient _transfer;
    private readonly string _deviceIdentifier;

    /// <param name="handler">From <see cref="CofferHttp.CreateHandler"/>; the client owns and disposes it.</param>
    /// <param name="baseUrl">The server base URL; <c>/api</c> and <c>/identity</c> are appended (protocol §1.1).</param>
    /// <param name="deviceIdentifier">This installation's stable device GUID.</param>
    public CofferApiClient(HttpMessageHandler handler, Uri baseUrl, string deviceIdentifier)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var text = baseUrl.AbsoluteUri.TrimEnd('/') + "/";
        _http = new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri(text), Timeout = TimeSpan.FromSeconds(100) };
        _http.DefaultRequestHeaders.Add("Device-Type", DeviceType.ToString(CultureInfo.InvariantCulture));
        _http.DefaultRequestHeaders.Add("Bitwarden-Client-Name", ClientId);

        // Servers gate features on this version (Vaultwarden hides SSH keys below 2024.12.0); we speak 2026.9.0's protocol.
        _http.DefaultRequestHeaders.Add("Bitwarden-Client-Version", ClientVersion);
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Coffer_CLI/1.0 (LINUX)");
        _deviceIdentifier = deviceIdentifier;

        // File bodies (CofferApiClient.Files.cs): same handler and headers, no overall timeout, never a bearer token by default.
        _transfer = new HttpClient(handler, disposeHandler: false) { BaseAddress = _http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        foreach (var header in _http.DefaultRequestHeaders)
        {
            _transfer.DefaultRequestHeaders.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    /// <summary>The bearer token sent on /api calls; set it after login and after every refresh.</summary>
    public string? AccessToken { get; set; }

    public void Dispose()
    {
        _transfer.Dispose();
        _http.Dispose();
    }

    public Task<PreloginResponseModel> PreloginAsync(string email, CancellationToken ct = default) =>
        SendAsync<PreloginResponseModel>(
            HttpMethod.Post, "identity/accounts/prelogin/password", new PreloginRequestModel { Email = AccountEmail.Normalize(email) }, authenticated: false, ct);

    /// <summary>
    /// Registers the account in two steps (protocol §5.1, §5.2): the verification request answers with the
    /// registration token when the server does not verify e-mail; finish sends the current clients' shape,
    /// flat fields plus both objects. <paramref name="inviteToken"/> is an admin's invitation, needed when the
    /// server's registration is invite-only.
    /// </summary>
    public async Task RegisterAsync(NewAccount account, string? name, string? hint, string? inviteToken = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        using var start = await SendRawAsync(
            HttpMethod.Post,
            "identity/accounts/register/send-verification-email",
            new RegisterSendVerificationEmailRequestModel { Email = account.Email, Name = name },
            authenticated: false,
            ct);
        if (start.StatusCode == HttpStatusCode.NoContent)
        {
            throw new CofferApiException(HttpStatusCode.NoContent, "The server e-mailed a verification link; finish registration from that link.");
        }

        var token = await start.Content.ReadFromJsonAsync<string>(CofferJson.Options, ct)
            ?? throw new CofferApiException(start.StatusCode, "The server returned no registration token.");

        var kdf = KdfSettingsModel.From(account.Kdf);
        var finish = new RegisterFinishRequestModel
        {
            Email = account.Email,
            Name = name,
            EmailVerificationToken = token,
            InviteToken = inviteToken,
            MasterPasswordHint = hint,
            UserSymmetricKey = account.ProtectedUserKey,
            UserAsymmetricKeys = new KeysRequestModel { PublicKey = account.PublicKey, EncryptedPrivateKey = account.EncryptedPrivateKey },
            MasterPasswordHash = account.MasterPasswordHash,
            MasterPasswordAuthentication = new MasterPasswordAuthenticationModel
            {
                Salt = account.Email,
                Kdf = kdf,
                MasterPasswordAuthenticationHash = account.MasterPasswordHash,
            },
            MasterPasswordUnlock = new MasterPasswordUnlockDataModel
            {
                Salt = account.Email,
                Kdf = kdf,
                MasterKeyWrappedUserKey = account.ProtectedUserKey,
            },
            Kdf = account.Kdf.Type,
            KdfIterations = account.Kdf.Iterations,
            KdfMemory = account.Kdf.Memory,
            KdfParallelism = account.Kdf.Parallelism,
        };
        using var done = await SendRawAsync(HttpMethod.Post, "identity/accounts/register/finish", finish, authenticated: false, ct);
    }

    /// <summary>
    /// Password grant (protocol §4.3.1) with the field order of the official CLI. A 400 carrying
    /// <c>TwoFactorProviders2</c> becomes <see cref="TwoFactorRequired"/>; other failures throw.
    /// </summary>
    public async Task<LoginResult> LoginAsync(string email, string masterPasswordHash, TwoFactorCode? twoFactor, CancellationToken ct = default)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("scope", "api offline_access"),
            new("client_id", ClientId),
            new("deviceType", DeviceType.ToString(CultureInfo.InvariantCulture)),
            new("deviceIdentifier", _deviceIdentifier),
            new("deviceName", "coffer"),
        };
        if (twoFactor is not null)
        {
            form.Add(new("twoFactorToken", twoFactor.Code));
            form.Add(new("twoFactorProvider", twoFactor.Provider.ToString(CultureInfo.InvariantCulture)));
            form.Add(new("twoFactorRemember", twoFactor.Remember ? "1" : "0"));
        }

        form.Add(new("grant_type", "password"));
        form.Add(new("username", email));
        form.Add(new("password", masterPasswordHash));

        using var response = await PostFormAsync(form, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.IsSuccessStatusCode)
        {
            CheckRaw(body, AccountChecks.CheckTokenAnswer);
            return new LoginSucceeded(Deserialize<IdentityTokenResponseModel>(body));
        }

        if (response.StatusCode == HttpStatusCode.BadRequest && TwoFactorProviders(body) is { Count: > 0 } providers)
        {
            return new TwoFactorRequired(providers) { MaskedEmail = MaskedTwoFactorEmail(body) };
        }

        throw CofferApiException.FromResponse(response.StatusCode, body);
    }

    /// <summary>
    /// Refresh grant (protocol §4.3.2). Refresh tokens rotate: the caller must store the returned one, because
    /// the old one may already be revoked. <c>invalid_grant</c> surfaces as <see cref="CofferApiException.Error"/>.
    /// </summary>
    public async Task<IdentityTokenResponseModel> RefreshAsync(string refreshToken, CancellationToken ct = default)
    {
        using var response = await PostFormAsync(
            [new("grant_type", "refresh_token"), new("client_id", ClientId), new("refresh_token", refreshToken)], ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode
            ? Deserialize<IdentityTokenResponseModel>(body)
            : throw CofferApiException.FromResponse(response.StatusCode, body);
    }

    /// <summary>
    /// The full sync (protocol §4.5). Refused before it is parsed when it carries Key Connector fields or lacks the account's
    /// keys (<see cref="AccountChecks.CheckSyncAnswer"/>).
    /// </summary>
    /// <exception cref="ServerIntegrityException"><c>kc-convert</c> or <c>keys-missing</c>.</exception>
    public async Task<SyncResponseModel> SyncAsync(CancellationToken ct = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, "api/sync?excludeDomains=true", null, authenticated: true, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        CheckRaw(body, AccountChecks.CheckSyncAnswer);
        return Deserialize<SyncResponseModel>(body);
    }

    /// <summary>Account revision time in epoch milliseconds (protocol §4.6).</summary>
    public Task<long> GetRevisionDateAsync(CancellationToken ct = default) =>
        SendAsync<long>(HttpMethod.Get, "api/accounts/revision-date", null, authenticated: true, ct);

    /// <summary>Tells the server the user key's id when sync lacks <c>userDecryption.userKeyId</c> (protocol §4.8).</summary>
    public async Task SetUserKeyIdAsync(string userKeyId, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(
            HttpMethod.Post, "api/accounts/key-management/user-key-id", new UserKeyIdRequestModel { UserKeyId = userKeyId }, authenticated: true, ct);
    }

    /// <summary>
    /// One page of the user's own audit events, newest first (protocol account doc §5.1). Without dates the
    /// server answers the last 30 days; pass the returned continuation token to get the next page.
    /// </summary>
    public Task<ListResponseModel<EventResponseModel>> GetEventsAsync(DateTimeOffset? start, DateTimeOffset? end, string? continuationToken, CancellationToken ct = default)
    {
        var query = new List<string>();
        if (start is { } s)
        {
            query.Add("start=" + Uri.EscapeDataString(s.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)));
        }

        if (end is { } e)
        {
            query.Add("end=" + Uri.EscapeDataString(e.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)));
        }

        if (continuationToken is not null)
        {
            query.Add("continuationToken=" + Uri.EscapeDataString(continuationToken));
        }

        var path = query.Count == 0 ? "api/events" : "api/events?" + string.Join('&', query);
        return SendAsync<ListResponseModel<EventResponseModel>>(HttpMethod.Get, path, null, authenticated: true, ct);
    }

    public Task<FolderResponseModel> CreateFolderAsync(string encryptedName, CancellationToken ct = default) =>
        SendAsync<FolderResponseModel>(HttpMethod.Post, "api/folders", new FolderRequestModel { Name = encryptedName }, authenticated: true, ct);

    public Task<FolderResponseModel> UpdateFolderAsync(Guid id, string encryptedName, CancellationToken ct = default) =>
        SendAsync<FolderResponseModel>(HttpMethod.Put, $"api/folders/{id}", new FolderRequestModel { Name = encryptedName }, authenticated: true, ct);

    public async Task DeleteFolderAsync(Guid id, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, $"api/folders/{id}", null, authenticated: true, ct);
    }

    public Task<CipherDetailsResponseModel> CreateCipherAsync(CipherRequestModel cipher, CancellationToken ct = default) =>
        SendAsync<CipherDetailsResponseModel>(HttpMethod.Post, "api/ciphers", cipher, authenticated: true, ct);

    /// <summary>
    /// Replaces a cipher. Set <see cref="CipherRequestModel.LastKnownRevisionDate"/> to the revision the edit
    /// started from, so the server rejects the write if another device changed the item meanwhile (protocol §4.10).
    /// </summary>
    public Task<CipherDetailsResponseModel> UpdateCipherAsync(Guid id, CipherRequestModel cipher, CancellationToken ct = default) =>
        SendAsync<CipherDetailsResponseModel>(HttpMethod.Put, $"api/ciphers/{id}", cipher, authenticated: true, ct);

    /// <summary>Moves a cipher to the trash (protocol §4.12).</summary>
    public async Task SoftDeleteCipherAsync(Guid id, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(HttpMethod.Put, $"api/ciphers/{id}/delete", null, authenticated: true, ct);
    }

    public Task<CipherDetailsResponseModel> RestoreCipherAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<CipherDetailsResponseModel>(HttpMethod.Put, $"api/ciphers/{id}/restore", null, authenticated: true, ct);

    public async Task DeleteCipherPermanentlyAsync(Guid id, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, $"api/ciphers/{id}", null, authenticated: true, ct);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, bool authenticated, CancellationToken ct)
    {
        using var response = await SendRawAsync(method, path, body, authenticated, ct);
        return Deserialize<T>(await response.Content.ReadAsStringAsync(ct));
    }

    /// <summary>Sends one request and throws <see cref="CofferApiException"/> with the server's message on failure.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, object? body, bool authenticated, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (method == HttpMethod.Get)
        {
            request.Headers.CacheControl = new CacheControlHeaderValue { NoStore = true };
        }

        if (authenticated)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Bearer", AccessToken ?? throw new CofferApiException("Not logged in."));
        }
        else
        {
            request.Headers.Add("Device-Identifier", _deviceIdentifier);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: CofferJson.Options);
        }

        var response = await SendCoreAsync(request, ct);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw CofferApiException.FromResponse(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }
    }

    private async Task<HttpResponseMessage> PostFormAsync(IEnumerable<KeyValuePair<string, string>> form, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "identity/connect/token") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return await SendCoreAsync(request, ct);
    }

    private Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken ct) =>
        SendCoreAsync(_http, request, HttpCompletionOption.ResponseContentRead, ct);

    private async Task<HttpResponseMessage> SendCoreAsync(HttpClient http, HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        try
        {
            return await http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e)
        {
            // Connection refused, DNS, TLS trust: name the server so the user can tell which setting is wrong.
            var detail = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
            throw new CofferApiException($"Cannot reach {_http.BaseAddress}: {detail}", e);
        }
    }

    // Integrity checks that must see fields the typed models do not carry (malicious-server.md BW03, BWb1); a body that is
    // not JSON is left to Deserialize's error.
    private static void CheckRaw(string body, Action<JsonElement> check)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return;
        }

        using (document)
        {
            check(document.RootElement);
        }
    }

    private static T Deserialize<T>(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, CofferJson.Options)
                ?? throw new CofferApiException($"The server sent an empty {typeof(T).Name}.");
        }
        catch (JsonException e)
        {
            throw new CofferApiException($"The server sent a malformed {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary><c>TwoFactorProviders2["1"].Email</c> of a two-factor challenge, or null.</summary>
    public static string? MaskedTwoFactorEmail(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("TwoFactorProviders2", out var providers) && providers.ValueKind == JsonValueKind.Object
                && providers.TryGetProperty("1", out var email) && email.ValueKind == JsonValueKind.Object
                && email.TryGetProperty("Email", out var address) && address.ValueKind == JsonValueKind.String
                ? address.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Provider numbers from <c>TwoFactorProviders2</c>, spelled exactly so as the official clients require
    /// (protocol §4.3.3); null when the body is not a two-factor challenge.
    /// </summary>
    public static List<int>? TwoFactorProviders(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("TwoFactorProviders2", out var providers)
                || providers.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var result = new List<int>();
            foreach (var provider in providers.EnumerateObject())
            {
                if (int.TryParse(provider.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var type))
                {
                    result.Add(type);
                }
            }

            return result;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
