using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coffer.Testing;

/// <summary>
/// A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost, written as PEM files. The `bw`
/// CLI refuses plain http even on loopback (protocol §7.2), so every client here trusts this CA explicitly:
/// node through NODE_EXTRA_CA_CERTS, the coffer CLI through --ca-cert, .NET through a custom trust store.
/// Validation is never switched off.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(X509Certificate2 ca, string caPemPath, string serverCertPath, string serverKeyPath)
    {
        Ca = ca;
        CaPemPath = caPemPath;
        ServerCertPath = serverCertPath;
        ServerKeyPath = serverKeyPath;
    }

    public X509Certificate2 Ca { get; }

    public string CaPemPath { get; }

    public string ServerCertPath { get; }

    public string ServerKeyPath { get; }

    public static TestCertificates Create(string directory)
    {
        var now = TimeProvider.System.GetUtcNow();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Coffer E2E throwaway CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(
            new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build(critical: true));
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(
            new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(
            new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        serverRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(serverRequest.PublicKey, false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var server = serverRequest.Create(ca, now.AddDays(-1), now.AddDays(7), serial);

        var caPem = Path.Combine(directory, "ca.pem");
        var serverPem = Path.Combine(directory, "server.pem");
        var serverKeyPem = Path.Combine(directory, "server.key");
        File.WriteAllText(caPem, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(serverPem, server.ExportCertificatePem() + "\n");
        File.WriteAllText(serverKeyPem, serverKey.ExportPkcs8PrivateKeyPem() + "\n");

        // Keep only the public CA certificate in memory; its private key is not needed after signing.
        return new TestCertificates(X509CertificateLoader.LoadCertificate(ca.RawData), caPem, serverPem, serverKeyPem);
    }

    /// <summary>An HttpClient handler that trusts this CA (and nothing else) and still checks the host name.</summary>
    public HttpClientHandler CreateTrustingHandler() => new()
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => IsTrusted(certificate, errors),
    };

    /// <summary>A TLS validation callback's verdict: the name must match, and the chain must end at this CA.</summary>
    public bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }

    public void Dispose() => Ca.Dispose();
}
