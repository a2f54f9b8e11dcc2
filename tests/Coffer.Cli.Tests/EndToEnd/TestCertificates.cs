using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>A throwaway private CA and a server certificate for 127.0.0.1 that it issued.</summary>
internal static class TestCertificates
{
    public const string PfxPassword = "test-only";

    public static (string CaPem, string ServerPfx) Create(string folder)
    {
        var now = DateTimeOffset.UnixEpoch.AddYears(56); // 2026: fixed, so no wall clock is read.
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Coffer Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddYears(-1), now.AddYears(20));

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        using var issued = request.Create(ca, now.AddYears(-1), now.AddYears(10), [1, 2, 3, 4, 5, 6, 7, 8]);
        using var withKey = issued.CopyWithPrivateKey(serverKey);

        var caPem = Path.Combine(folder, "ca.pem");
        var serverPfx = Path.Combine(folder, "server.pfx");
        File.WriteAllText(caPem, ca.ExportCertificatePem());
        File.WriteAllBytes(serverPfx, withKey.Export(X509ContentType.Pfx, PfxPassword));
        return (caPem, serverPfx);
    }
}
