using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coffer.Server.Hosting;

/// <summary>
/// The certificate used for HTTPS when none is configured (<c>Kestrel:Certificates:Default</c>): a self-signed
/// ECDSA P-256 certificate for localhost/127.0.0.1/::1, generated into <c>&lt;data&gt;/tls/</c> on first run and
/// reused after. Clients trust it explicitly (<c>NODE_EXTRA_CA_CERTS</c> for <c>bw</c>, <c>SSL_CERT_FILE</c> or
/// <c>--ca-cert</c> for <c>coffer</c>); it is never a substitute for a real certificate on a network.
/// </summary>
public static class TlsCertificate
{
    public static string CertificatePath(string dataFolder) => Path.Combine(Path.GetFullPath(dataFolder), "tls", "cert.pem");

    public static X509Certificate2 LoadOrCreate(string dataFolder, TimeProvider time)
    {
        var certPath = CertificatePath(dataFolder);
        var keyPath = Path.Combine(Path.GetDirectoryName(certPath)!, "key.pem");
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            using var existing = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            if (existing.NotAfter > time.GetUtcNow().UtcDateTime.AddDays(7))
            {
                return X509CertificateLoader.LoadPkcs12(existing.Export(X509ContentType.Pkcs12), null);
            }
        }

        DataFolder.Ensure(Path.GetDirectoryName(certPath)!);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
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
        DataFolder.WritePrivate(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
