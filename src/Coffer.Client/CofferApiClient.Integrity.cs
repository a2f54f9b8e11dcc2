using System.Text.Json;

namespace Coffer.Client;

/// <summary>What the client reads only to check the server against its pins (malicious-server.md §2.2).</summary>
public sealed partial class CofferApiClient
{
    /// <summary>
    /// <c>GET /api/config</c>'s <c>version</c> (protocol §4.1), read without a token; null when the answer has none. Used
    /// only for the server version pin, never to switch a protection off (BW10).
    /// </summary>
    /// <exception cref="CofferApiException">The server cannot be reached or refuses.</exception>
    public async Task<string?> GetServerVersionAsync(CancellationToken ct = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, "api/config", null, authenticated: false, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.String
                ? version.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
