using Fido2NetLib;
using Microsoft.Extensions.Options;

namespace Coffer.Server.TwoFactor;

/// <summary>
/// Coffer as a WebAuthn relying party (<c>bitwarden-sharing-features.md</c> §5.4), for security keys (provider 7) and
/// passkeys alike. The RP id is the host of <c>Coffer:PublicUrl</c> and the one accepted origin is that URL's origin.
/// Without <c>Coffer:PublicUrl</c> WebAuthn is off (<see cref="Fido2"/> null, routes answer 400 with
/// <see cref="NeedsPublicUrl"/>): an RP id taken from the request's Host header would let a phishing proxy that
/// forwards requests under its own name collect assertions made for its own origin, the very attack WebAuthn stops.
/// </summary>
public sealed class WebAuthnRelyingParty
{
    /// <summary>The error WebAuthn routes answer when <c>Coffer:PublicUrl</c> is not set.</summary>
    public const string NeedsPublicUrl = "Security keys and passkeys need the server's public address: set Coffer:PublicUrl.";

    /// <summary>Most security keys one account may register (slots 1–5).</summary>
    public const int MaxSecurityKeys = 5;

    /// <summary>Milliseconds a ceremony may take in the browser; the stored options expire with it.</summary>
    public const int TimeoutMilliseconds = 60_000;

    public WebAuthnRelyingParty(IOptions<ServerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Value.PublicUrl is not { } publicUrl)
        {
            return;
        }

        var uri = new Uri(publicUrl, UriKind.Absolute);
        RpId = uri.Host;
        Origin = uri.GetLeftPart(UriPartial.Authority);
        Fido2 = new Fido2(new Fido2Configuration
        {
            RPID = RpId,
            RPName = "Coffer",
            Origins = new HashSet<string>(StringComparer.Ordinal) { Origin },
            Timeout = TimeoutMilliseconds,
        });
    }

    /// <summary>The Fido2 library configured for this server, or null when WebAuthn is off.</summary>
    public IFido2? Fido2 { get; }

    /// <summary>The RP id (the public URL's host, no scheme or port), or null when WebAuthn is off.</summary>
    public string? RpId { get; }

    /// <summary>The one origin accepted in <c>clientDataJSON</c> (<c>scheme://host[:port]</c>), or null when WebAuthn is off.</summary>
    public string? Origin { get; }
}
