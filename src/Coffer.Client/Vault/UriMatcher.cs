using System.Net;
using System.Text.RegularExpressions;

namespace Coffer.Client.Vault;

/// <summary>
/// Whether a login's URI matches a page address, by the item's match rule, as the Bitwarden clients decide
/// which logins to offer (libs/common/src/vault/models/view/login-uri.view.ts <c>matchesUri</c>; help article
/// "URI match detection"): default and <see cref="UriMatch.Domain"/> compare base domains (so
/// <c>https://accounts.example.co.uk</c> matches <c>example.co.uk</c>), <see cref="UriMatch.Host"/> compares host
/// and port, <see cref="UriMatch.StartsWith"/> and <see cref="UriMatch.Exact"/> compare the text,
/// <see cref="UriMatch.RegularExpression"/> tests the URI as a case-insensitive pattern, and
/// <see cref="UriMatch.Never"/> never matches.
/// </summary>
/// <remarks>
/// Not modelled: the account's equivalent-domain groups (google.com ~ youtube.com), which the server sends in
/// <c>domains</c> and this CLI does not sync, and the per-user default rule, which Bitwarden keeps in client
/// settings (the default here is the clients' own default, base domain).
/// </remarks>
public static class UriMatcher
{
    // A pattern is the user's own, but a bad one must not hang the command.
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    /// <summary>True when <paramref name="itemUri"/> under <paramref name="match"/> (null: the default) matches <paramref name="url"/>.</summary>
    public static bool Matches(string itemUri, UriMatch? match, string url, PublicSuffixList? suffixes = null)
    {
        ArgumentNullException.ThrowIfNull(itemUri);
        ArgumentNullException.ThrowIfNull(url);
        if (itemUri.Length == 0 || url.Length == 0)
        {
            return false;
        }

        switch (match ?? UriMatch.Domain)
        {
            case UriMatch.Domain:
                var domain = BaseDomain(url, suffixes);
                return domain is not null && domain == BaseDomain(itemUri, suffixes);
            case UriMatch.Host:
                var host = HostAndPort(url);
                return host is not null && host == HostAndPort(itemUri);
            case UriMatch.StartsWith:
                return url.StartsWith(itemUri, StringComparison.Ordinal);
            case UriMatch.Exact:
                return url == itemUri;
            case UriMatch.RegularExpression:
                try
                {
                    return Regex.IsMatch(url, itemUri, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout);
                }
                catch (Exception e) when (e is ArgumentException or RegexMatchTimeoutException)
                {
                    // The clients treat an invalid pattern as no match.
                    return false;
                }

            default:
                return false;
        }
    }

    /// <summary>
    /// The base (registrable) domain of a URL's host, lower case ASCII: <c>https://a.b.example.co.uk/x</c> →
    /// <c>example.co.uk</c>. An IP address or a one-label host (<c>localhost</c>) is its own base domain;
    /// null for text that is not a URL with a host, or a host that is itself a public suffix.
    /// </summary>
    public static string? BaseDomain(string url, PublicSuffixList? suffixes = null)
    {
        if (Parse(url) is not { } uri)
        {
            return null;
        }

        var host = uri.IdnHost.ToLowerInvariant();
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || IPAddress.TryParse(host, out _) || !host.Contains('.', StringComparison.Ordinal))
        {
            return host;
        }

        return (suffixes ?? PublicSuffixList.Default).RegistrableDomain(host);
    }

    /// <summary>Host and, when given, port (<c>example.com:8443</c>), as Bitwarden's <c>Utils.getHost</c>.</summary>
    public static string? HostAndPort(string url) =>
        Parse(url) is { } uri ? (uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}").ToLowerInvariant() : null;

    /// <summary>
    /// An absolute URI with a host. As the clients do, text with a dot and no scheme (<c>example.com/login</c>)
    /// is read as <c>http://</c>; other schemes without a host (<c>androidapp://</c> ids keep one) count as they parse.
    /// </summary>
    private static Uri? Parse(string text)
    {
        text = text.Trim();
        if (!text.Contains("://", StringComparison.Ordinal) && text.Contains('.', StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? uri : null;
    }
}
