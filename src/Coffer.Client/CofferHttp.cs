using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Coffer.Client;

/// <summary>Builds the HTTP handler the client uses, optionally trusting a private certificate authority.</summary>
public static class CofferHttp
{
    /// <summary>
    /// A handler that validates TLS normally, and when <paramref name="caCertFile"/> is given, trusts only the
    /// PEM certificates in it as roots (X509ChainTrustMode.CustomRootTrust). Validation is never switched off:
    /// host names are still checked, and a certificate not issued by that CA is still rejected.
    /// Without the option, .NET on Linux already honours <c>SSL_CERT_FILE</c>/<c>SSL_CERT_DIR</c> for the system store.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(string? caCertFile)
    {
        var handler = new SocketsHttpHandler
        {
            // Redirects would replay a bearer token to wherever the server points; the API never redirects.
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };

        if (caCertFile is null)
        {
            return handler;
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caCertFile);
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            throw new CofferApiException($"Cannot read CA certificate file '{caCertFile}': {e.Message}", e);
        }

        if (roots.Count == 0)
        {
            throw new CofferApiException($"CA certificate file '{caCertFile}' holds no PEM certificate.");
        }

        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,

            // A private CA rarely publishes a CRL or OCSP responder reachable from the client; an online check
            // would fail every connection. Trust is anchored in the one CA file the user named.
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(roots);
        handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        return handler;
    }
}
