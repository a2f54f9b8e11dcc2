using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Coffer.Testing;

/// <summary>
/// A WebAuthn security key in software (WebAuthn Level 2 §6), for tests of provider 7: one ECDSA P-256 credential
/// (COSE alg −7), registered with attestation format <c>none</c> (§8.7) and asserting with signatures over
/// <c>authenticatorData ‖ SHA-256(clientDataJSON)</c> (§6.3.3). It answers in the shapes Bitwarden clients send
/// (<c>bitwarden-sharing-features.md</c> §5.2–§5.3): <c>AttestationObject</c> and <c>clientDataJson</c> in standard
/// Base64 for registration, base64url for the login token. Every check the server makes can be broken on purpose:
/// the origin, the RP id, the challenge, the counter.
/// </summary>
public sealed class SoftwareAuthenticator : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public SoftwareAuthenticator(string origin)
    {
        Origin = origin;
        RpId = new Uri(origin).Host;
    }

    /// <summary>The origin put into <c>clientDataJSON</c> (the web vault's, <c>Coffer:PublicUrl</c>).</summary>
    public string Origin { get; }

    /// <summary>The RP id whose SHA-256 starts the authenticator data.</summary>
    public string RpId { get; }

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>The signature counter: incremented before each assertion, as hardware keys do.</summary>
    public uint Counter { get; set; }

    public string CredentialIdBase64Url => Base64Url(CredentialId);

    /// <summary>
    /// The <c>deviceResponse</c> of <c>PUT /api/two-factor/webauthn</c> for the creation options
    /// <paramref name="options"/> (their <c>challenge</c> is signed into <c>clientDataJSON</c>).
    /// </summary>
    public JsonObject Register(JsonObject options, string? origin = null, string? rpId = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientData = ClientData("webauthn.create", (string)options["challenge"]!, origin ?? Origin);
        var parameters = key.ExportParameters(false);
        var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
        cose.WriteStartMap(5);
        cose.WriteInt32(1);
        cose.WriteInt32(2); // kty: EC2
        cose.WriteInt32(3);
        cose.WriteInt32(-7); // alg: ES256
        cose.WriteInt32(-1);
        cose.WriteInt32(1); // crv: P-256
        cose.WriteInt32(-2);
        cose.WriteByteString(parameters.Q.X!);
        cose.WriteInt32(-3);
        cose.WriteByteString(parameters.Q.Y!);
        cose.WriteEndMap();

        // Flags: user present (0x01) and attested credential data (0x40); AAGUID zero, as "none" allows.
        var authenticatorData = Concat(
            SHA256.HashData(Encoding.UTF8.GetBytes(rpId ?? RpId)), [0x41], BigEndian(Counter), new byte[16],
            [(byte)(CredentialId.Length >> 8), (byte)CredentialId.Length], CredentialId, cose.Encode());
        var attestation = NoneAttestationObject(authenticatorData);

        // As the web vault builds it (default-two-factor-api.service.ts): rawId is btoa(id), binaries standard Base64.
        return new JsonObject
        {
            ["id"] = CredentialIdBase64Url,
            ["rawId"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(CredentialIdBase64Url)),
            ["type"] = "public-key",
            ["extensions"] = new JsonObject(),
            ["response"] = new JsonObject
            {
                ["AttestationObject"] = Convert.ToBase64String(attestation),
                ["clientDataJson"] = Convert.ToBase64String(clientData),
                ["transports"] = new JsonArray("usb", "nfc"),
            },
        };
    }

    /// <summary>
    /// The <c>twoFactorToken</c> of provider 7 for the assertion options <paramref name="options"/> (the challenge's
    /// <c>TwoFactorProviders2["7"]</c>), as the web connector's <c>buildDataString</c> writes it.
    /// <paramref name="counter"/> replaces the incremented counter (to send one that goes back).
    /// </summary>
    public string Assert(JsonObject options, string? origin = null, string? rpId = null, uint? counter = null, string? challenge = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Counter = counter ?? Counter + 1;
        var clientData = ClientData("webauthn.get", challenge ?? (string)options["challenge"]!, origin ?? Origin);
        var authenticatorData = Concat(SHA256.HashData(Encoding.UTF8.GetBytes(rpId ?? RpId)), [0x01], BigEndian(Counter));
        var signature = key.SignData(Concat(authenticatorData, SHA256.HashData(clientData)), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new JsonObject
        {
            ["id"] = CredentialIdBase64Url,
            ["rawId"] = CredentialIdBase64Url,
            ["type"] = "public-key",
            ["extensions"] = new JsonObject(),
            ["response"] = new JsonObject
            {
                ["authenticatorData"] = Base64Url(authenticatorData),
                ["clientDataJson"] = Base64Url(clientData),
                ["signature"] = Base64Url(signature),
            },
        }.ToJsonString();
    }

    public void Dispose() => key.Dispose();

    /// <summary>
    /// A "none" attestation object (WebAuthn §6.5, §8.7): the CBOR map {fmt: "none", attStmt: {}, authData}, canonical
    /// CTAP2 encoding, around <paramref name="authenticatorData"/>.
    /// </summary>
    public static byte[] NoneAttestationObject(byte[] authenticatorData)
    {
        var attestation = new CborWriter(CborConformanceMode.Ctap2Canonical);
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt");
        attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt");
        attestation.WriteStartMap(0);
        attestation.WriteEndMap();
        attestation.WriteTextString("authData");
        attestation.WriteByteString(authenticatorData);
        attestation.WriteEndMap();
        return attestation.Encode();
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] ClientData(string type, string challenge, string origin) =>
        Encoding.UTF8.GetBytes(new JsonObject { ["type"] = type, ["challenge"] = challenge, ["origin"] = origin, ["crossOrigin"] = false }.ToJsonString());

    private static byte[] BigEndian(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
