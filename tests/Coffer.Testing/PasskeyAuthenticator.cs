using System.Buffers.Binary;
using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Coffer.Testing;

/// <summary>
/// A passkey authenticator in software (WebAuthn Level 3 §6): any number of discoverable ECDSA P-256 credentials
/// (COSE alg -7), each holding its user handle, attestation format "none", user verification reported or not, and the
/// JSON a browser's <c>PublicKeyCredential</c> serializes to, and the PRF extension (§10.1.4) over each credential's
/// own secret. <see cref="SoftwareAuthenticator"/> is the security key of provider 7 (one credential, no user handle,
/// Bitwarden's connector shapes); this one bends what a passkey login checks on top: user verification and the user
/// handle, besides origin, RP id and counter.
/// </summary>
public sealed class PasskeyAuthenticator
{
    private const byte UserPresent = 0x01;
    private const byte UserVerified = 0x04;
    private const byte AttestedCredentialData = 0x40;

    public PasskeyAuthenticator(string origin, string rpId)
    {
        Origin = origin;
        RpId = rpId;
    }

    public string Origin { get; }

    public string RpId { get; }

    /// <summary>One credential this authenticator holds: its id, key, user handle, signature counter and PRF secret.</summary>
    public sealed class Credential(byte[] id, ECDsa key, byte[] userHandle)
    {
        private readonly byte[] prfSecret = RandomNumberGenerator.GetBytes(32);

        public byte[] Id { get; } = id;

        public ECDsa Key { get; } = key;

        public byte[] UserHandle { get; } = userHandle;

        public uint Counter { get; set; }

        public string IdText => Base64Url.EncodeToString(Id);

        /// <summary>
        /// The 32-byte PRF output for <paramref name="input"/> (WebAuthn Level 3 §10.1.4 over CTAP2 <c>hmac-secret</c>):
        /// HMAC-SHA-256 of this credential's secret over SHA-256("WebAuthn PRF" ‖ 0x00 ‖ input). It never leaves the
        /// client; the web vault evaluates it over SHA-256("passwordless-login").
        /// </summary>
        public byte[] Prf(ReadOnlySpan<byte> input) =>
            HMACSHA256.HashData(prfSecret, SHA256.HashData([.. "WebAuthn PRF"u8, 0x00, .. input]));
    }

    /// <summary>
    /// <c>navigator.credentials.create()</c> over server options: a new discoverable credential for the options'
    /// <c>user.id</c>, and the attestation JSON for it.
    /// </summary>
    public (Credential Credential, JsonObject Attestation) Create(JsonObject options, string? origin = null, string? rpId = null, bool userVerified = true)
    {
        var credential = new Credential(RandomNumberGenerator.GetBytes(32), ECDsa.Create(ECCurve.NamedCurves.nistP256), Base64Url.DecodeFromChars(options["user"]!["id"]!.GetValue<string>()));
        var clientData = ClientData("webauthn.create", options["challenge"]!.GetValue<string>(), origin ?? Origin);
        var parameters = credential.Key.ExportParameters(includePrivateParameters: false);
        var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
        cose.WriteStartMap(5);
        cose.WriteInt32(1);
        cose.WriteInt32(2);
        cose.WriteInt32(3);
        cose.WriteInt32(-7);
        cose.WriteInt32(-1);
        cose.WriteInt32(1);
        cose.WriteInt32(-2);
        cose.WriteByteString(parameters.Q.X!);
        cose.WriteInt32(-3);
        cose.WriteByteString(parameters.Q.Y!);
        cose.WriteEndMap();

        var authData = new List<byte>(AuthenticatorData(rpId ?? RpId, (byte)(UserPresent | (userVerified ? UserVerified : 0) | AttestedCredentialData), 0));
        authData.AddRange(new byte[16]);
        authData.Add((byte)(credential.Id.Length >> 8));
        authData.Add((byte)credential.Id.Length);
        authData.AddRange(credential.Id);
        authData.AddRange(cose.Encode());

        var attestation = SoftwareAuthenticator.NoneAttestationObject([.. authData]);

        return (credential, new JsonObject
        {
            ["id"] = credential.IdText,
            ["rawId"] = credential.IdText,
            ["type"] = "public-key",
            ["extensions"] = new JsonObject(),
            ["response"] = new JsonObject
            {
                ["attestationObject"] = Base64Url.EncodeToString(attestation),
                ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
                ["transports"] = new JsonArray("internal"),
            },
        });
    }

    /// <summary>
    /// <c>navigator.credentials.get()</c> with <paramref name="credential"/> over server options: counter + 1 (or
    /// <paramref name="counter"/>), signed over authenticatorData ‖ SHA-256(clientDataJSON), with the user handle.
    /// </summary>
    public JsonObject Assert(
        Credential credential, JsonObject options, string? origin = null, string? rpId = null, bool userVerified = true, uint? counter = null, byte[]? userHandle = null)
    {
        credential.Counter = counter ?? credential.Counter + 1;
        var clientData = ClientData("webauthn.get", options["challenge"]!.GetValue<string>(), origin ?? Origin);
        var authData = AuthenticatorData(rpId ?? RpId, (byte)(UserPresent | (userVerified ? UserVerified : 0)), credential.Counter);
        var signature = credential.Key.SignData([.. authData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new JsonObject
        {
            ["id"] = credential.IdText,
            ["rawId"] = credential.IdText,
            ["type"] = "public-key",
            ["extensions"] = new JsonObject(),
            ["response"] = new JsonObject
            {
                ["authenticatorData"] = Base64Url.EncodeToString(authData),
                ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
                ["signature"] = Base64Url.EncodeToString(signature),
                ["userHandle"] = Base64Url.EncodeToString(userHandle ?? credential.UserHandle),
            },
        };
    }

    private static byte[] ClientData(string type, string challenge, string origin) =>
        Encoding.UTF8.GetBytes(new JsonObject { ["type"] = type, ["challenge"] = challenge, ["origin"] = origin, ["crossOrigin"] = false }.ToJsonString());

    private static byte[] AuthenticatorData(string rpId, byte flags, uint counter)
    {
        var data = new byte[37];
        SHA256.HashData(Encoding.UTF8.GetBytes(rpId)).CopyTo(data, 0);
        data[32] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(33), counter);
        return data;
    }
}
