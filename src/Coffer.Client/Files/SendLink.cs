using System.Buffers.Text;

namespace Coffer.Client.Files;

/// <summary>
/// A Send's recipient link (bitwarden-sharing-features.md §3.2): <c>{server}/#/send/{accessId}/{urlKey}</c>, where the
/// access id is the server's 22-character url-safe Base64 encoding of the Send id and the url key is url-safe Base64
/// (no padding) of the seed. The fragment never reaches any server. Parsing also reads the older
/// <c>#/{accessId}/{urlKey}</c> form.
/// </summary>
public sealed record SendLink(Uri Server, string AccessId, byte[] Seed)
{
    public static string Format(Uri server, string accessId, ReadOnlySpan<byte> seed)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(accessId);
        return $"{server.GetLeftPart(UriPartial.Path).TrimEnd('/')}/#/send/{accessId}/{SendCrypto.UrlKey(seed)}";
    }

    /// <summary>Reads a link; <see cref="Server"/> is the link without its fragment (the server that serves the web vault and the API).</summary>
    /// <exception cref="FormatException">Not an http(s) URL with <c>#/send/{accessId}/{urlKey}</c>.</exception>
    public static SendLink Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new FormatException("A Send link is an http(s) URL such as https://vault.example.com/#/send/ACCESS-ID/KEY.");
        }

        var parts = uri.Fragment.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts is ["send", .. var rest])
        {
            parts = rest;
        }

        if (parts.Length != 2)
        {
            throw new FormatException("The link has no #/send/ACCESS-ID/KEY part; copy the whole link, including everything after #.");
        }

        var accessId = parts[^2];
        var urlKey = parts[^1];
        if (accessId.Length is < 1 or > 64 || !accessId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new FormatException("The link's access id is not url-safe Base64.");
        }

        byte[] seed;
        try
        {
            seed = Base64Url.DecodeFromChars(urlKey);
        }
        catch (FormatException e)
        {
            throw new FormatException("The link's key is not url-safe Base64.", e);
        }

        if (seed.Length == 0)
        {
            throw new FormatException("The link's key is empty.");
        }

        return new SendLink(new Uri(uri.GetLeftPart(UriPartial.Path)), accessId, seed);
    }
}
