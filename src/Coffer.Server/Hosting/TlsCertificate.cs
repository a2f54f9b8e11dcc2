using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coffer.Server.Hosting;

/// <summary>
/// The certificate used for HTTPS when none is configured (<c>Kestrel:Certificates:Default</c>): a self-signed
/// ECDSA P-256 certificate for localhost/127.0.0.1/::1, generated into <c>&lt;data&gt;/tls/</c> on first run and
/// reused after. Clients trust it explicitly (<c>NODE_EXTRA_CA_CERTS</c> for <c>bw</c>, <c>SSL_CERT_FILE</c> or
/// <c>--ca-cert</c> for <c>coffer</c>); it is never a substitute for a real certificate on a network.
/// Servers starting together on one folder agree on it: the key is created first with create-new semantics
/// (<see cref="DataFolder.TryCreatePrivate"/>), every server then certifies the winning key, and the first
/// certificate linked into place is the one they all serve.
/// </summary>
public static class TlsCertificate
{
    public static string CertificatePath(string dataFolder) => Path.Combine(Path.GetFullPath(dataFolder), "tls", "cert.pem");

    public static X509Certificate2 LoadOrCreate(string dataFolder, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var certPath = CertificatePath(dataFolder);
        var keyPath = Path.Combine(Path.GetDirectoryName(certPath)!, "key.pem");
        DataFolder.Ensure(Path.GetDirectoryName(certPath)!);
        if (!File.Exists(keyPath))
        {
            using var candidate = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            DataFolder.TryCreatePrivate(keyPath, candidate.ExportPkcs8PrivateKeyPem());
        }

        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(keyPath));
        if (Usable(certPath, keyPath, time) is { } existing)
        {
            return existing;
        }

        // Certify the winning key. If another server links its certificate first, that one is kept: it certifies
        // the same key. Otherwise the file is missing, expiring or not matching the key (a renewal, or a folder left
        // by an older Coffer) and is replaced; servers renewing together each install a valid one for the same key.
        var pem = CreateSelfSigned(key, time);
        if (File.Exists(certPath) || !DataFolder.TryCreatePrivate(certPath, pem))
        {
            if (Usable(certPath, keyPath, time) is { } winners)
            {
                return winners;
            }

            DataFolder.WritePrivate(certPath, pem);
        }

        return Usable(certPath, keyPath, time) ?? throw new InvalidOperationException($"{certPath} does not hold a usable certificate for {keyPath}.");
    }

    // The certificate on disk when it matches the key and stays valid for at least another week, else null.
    private static X509Certificate2? Usable(string certPath, string keyPath, TimeProvider time)
    {
        if (!File.Exists(certPath))
        {
            return null;
        }

        try
        {
            using var existing = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            return existing.NotAfter > time.GetUtcNow().UtcDateTime.AddDays(7)
                ? X509CertificateLoader.LoadPkcs12(existing.Export(X509ContentType.Pkcs12), null)
                : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static string CreateSelfSigned(ECDsa key, TimeProvider time)
    {
        var request = new CertificateRequest("CN=Coffer self-signed localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = time.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
        return certificate.ExportCertificatePem();
    }
}
