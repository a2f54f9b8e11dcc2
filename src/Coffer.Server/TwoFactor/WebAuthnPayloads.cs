using System.Text.Json;
using System.Text.Json.Nodes;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.IdentityModel.Tokens;

namespace Coffer.Server.TwoFactor;

/// <summary>
/// Reads the browser's WebAuthn answers as Bitwarden clients send them into Fido2's raw response types
/// (<c>bitwarden-sharing-features.md</c> §5.2–§5.4). The clients do not follow Fido2's JSON: member names come as
/// <c>AttestationObject</c> and <c>clientDataJson</c>, binary members in standard Base64 (<c>Utils.fromBufferToB64</c>)
/// or base64url, and <c>rawId</c> is <c>btoa(id)</c> rather than the raw id. So the members are looked up without
/// regard to case, both alphabets are accepted, and the raw id is always decoded from <c>id</c>. Anything malformed
/// yields null, which callers answer as an invalid key or token.
/// </summary>
public static class WebAuthnPayloads
{
    /// <summary>The largest answer read (a registration carries an attestation object; 64 KiB is far more than any).</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>A registration answer (<c>deviceResponse</c> of <c>PUT /api/two-factor/webauthn</c>), or null.</summary>
    public static AuthenticatorAttestationRawResponse? Attestation(JsonObject? deviceResponse)
    {
        if (deviceResponse is null || Member(deviceResponse, "response") is not JsonObject response
            || Text(deviceResponse, "id") is not { } id || Bytes(id) is not { Length: > 0 } rawId
            || Bytes(Text(response, "attestationObject")) is not { Length: > 0 } attestation
            || Bytes(Text(response, "clientDataJson")) is not { Length: > 0 } clientData)
        {
            return null;
        }

        return new AuthenticatorAttestationRawResponse
        {
            Id = Base64UrlEncoder.Encode(rawId),
            RawId = rawId,
            Type = PublicKeyCredentialType.PublicKey,
            Response = new AuthenticatorAttestationRawResponse.AttestationResponse
            {
                AttestationObject = attestation,
                ClientDataJson = clientData,
                Transports = Transports(Member(response, "transports") ?? Member(deviceResponse, "transports")),
            },
            ClientExtensionResults = new AuthenticationExtensionsClientOutputs(),
        };
    }

    /// <summary>A login answer (the <c>twoFactorToken</c> of provider 7: a JSON string built by the web connector), or null.</summary>
    public static AuthenticatorAssertionRawResponse? Assertion(string? token)
    {
        if (token is not { Length: > 0 and <= MaxLength })
        {
            return null;
        }

        JsonObject? root;
        try
        {
            root = JsonNode.Parse(token) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (root is null || Member(root, "response") is not JsonObject response
            || Text(root, "id") is not { } id || Bytes(id) is not { Length: > 0 } rawId
            || Bytes(Text(response, "authenticatorData")) is not { Length: > 0 } authenticatorData
            || Bytes(Text(response, "signature")) is not { Length: > 0 } signature
            || Bytes(Text(response, "clientDataJson")) is not { Length: > 0 } clientData)
        {
            return null;
        }

        return new AuthenticatorAssertionRawResponse
        {
            Id = Base64UrlEncoder.Encode(rawId),
            RawId = rawId,
            Type = PublicKeyCredentialType.PublicKey,
            Response = new AuthenticatorAssertionRawResponse.AssertionResponse
            {
                AuthenticatorData = authenticatorData,
                Signature = signature,
                ClientDataJson = clientData,
                UserHandle = Bytes(Text(response, "userHandle")),
            },
            ClientExtensionResults = new AuthenticationExtensionsClientOutputs(),
        };
    }

    /// <summary>Base64 or base64url, padded or not; null when it is neither.</summary>
    public static byte[]? Bytes(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return null;
        }

        var standard = value.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        standard += new string('=', (4 - (standard.Length % 4)) % 4);
        var buffer = new byte[standard.Length];
        return Convert.TryFromBase64String(standard, buffer, out var written) ? buffer[..written] : null;
    }

    private static JsonNode? Member(JsonObject value, string name) =>
        value.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static string? Text(JsonObject value, string name) =>
        Member(value, name) is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    /// <summary>WebAuthn §5.8.4's transport names; unknown ones are skipped, as the spec asks of relying parties.</summary>
    private static readonly Dictionary<string, AuthenticatorTransport> TransportNames = new(StringComparer.Ordinal)
    {
        ["usb"] = AuthenticatorTransport.Usb,
        ["nfc"] = AuthenticatorTransport.Nfc,
        ["ble"] = AuthenticatorTransport.Ble,
        ["smart-card"] = AuthenticatorTransport.SmartCard,
        ["hybrid"] = AuthenticatorTransport.Hybrid,
        ["internal"] = AuthenticatorTransport.Internal,
    };

    /// <summary>Transports as stored (<see cref="WebAuthnCredential.Transports"/>): names, comma-separated; null for none.</summary>
    public static string? TransportList(IEnumerable<AuthenticatorTransport>? transports) =>
        transports?.Select(t => TransportNames.First(n => n.Value == t).Key).ToList() is { Count: > 0 } names ? string.Join(',', names) : null;

    /// <summary>The stored list back as Fido2's values.</summary>
    public static AuthenticatorTransport[] ParseTransportList(string? stored) =>
        [.. (stored ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Where(TransportNames.ContainsKey).Select(n => TransportNames[n])];

    private static AuthenticatorTransport[] Transports(JsonNode? transports) =>
        transports is JsonArray array
            ? [.. array.Select(i => i is JsonValue v && v.TryGetValue<string>(out var name) && TransportNames.TryGetValue(name, out var t) ? t : (AuthenticatorTransport?)null)
                .OfType<AuthenticatorTransport>()]
            : [];
}
