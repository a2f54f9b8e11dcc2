using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.TwoFactor;
using Fido2NetLib;
using Fido2NetLib.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Passkeys;

/// <summary>
/// What the passkey routes share (<c>bitwarden-sharing-features.md</c> §5.4, §5.6): storing a ceremony's options as a
/// single-use <see cref="WebAuthnChallenge"/> whose id is the <c>token</c> handed to the client, taking it back, parsing
/// the browser's JSON, and checking an assertion by one of the account's passkeys. Passkeys always require user
/// verification: the passkey replaces the master password, so the authenticator must have checked a PIN or a
/// biometric, not merely a touch.
/// </summary>
public static class PasskeyCeremonies
{
    /// <summary>Most passkeys one account may register (upstream's limit).</summary>
    public const int MaxPasskeys = 5;

    public const int MaxNameLength = 50;

    /// <summary>Longest accepted wrapped key (upstream's <c>EncryptedStringLength(2000)</c>).</summary>
    public const int MaxKeyLength = 2000;

    private const int MaxDeviceResponseLength = 16_384;

    // Browsers and upstream's clients differ in casing (clientDataJSON / clientDataJson), so names are matched
    // case-insensitively, with Fido2's own contract for everything else (base64url byte arrays, enums).
    // The attestation types have no generated metadata, so reflection fills in behind Fido2's context.
    private static readonly JsonSerializerOptions BrowserJson = new(FidoModelSerializerContext.Default.Options)
    {
        PropertyNameCaseInsensitive = true,
        TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(
            FidoModelSerializerContext.Default, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver()),
    };

    /// <summary>Stores <paramref name="optionsJson"/> for <paramref name="ceremony"/> and returns the token that names it.</summary>
    public static string Store(CofferDb db, Guid? userId, WebAuthnCeremony ceremony, string optionsJson, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(db);
        var challenge = new WebAuthnChallenge
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            Ceremony = ceremony,
            Options = optionsJson,
            ExpirationDate = now.AddMilliseconds(WebAuthnRelyingParty.TimeoutMilliseconds),
        };
        db.WebAuthnChallenges.Add(challenge);
        return challenge.Id.ToString("N");
    }

    /// <summary>
    /// Takes the stored options named by <paramref name="token"/> for this ceremony and account (null for a login),
    /// deleting them whether or not what follows succeeds: a challenge is answered once. Null when the token is
    /// malformed, unknown, of another ceremony or account, or expired. Commits the deletion at once, so a replay that
    /// races the first answer finds nothing.
    /// </summary>
    public static async Task<string?> TakeAsync(CofferDb db, string? token, WebAuthnCeremony ceremony, Guid? userId, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!Guid.TryParseExact(token, "N", out var id))
        {
            return null;
        }

        var challenge = await db.WebAuthnChallenges.AsNoTracking()
            .SingleOrDefaultAsync(c => c.Id == id && c.Ceremony == ceremony && c.UserId == userId, ct);
        // Only the request that deletes the row may use it: of two concurrent answers (on any node) one deletes 1 row.
        if (challenge is null || await db.WebAuthnChallenges.Where(c => c.Id == id).ExecuteDeleteAsync(ct) != 1)
        {
            return null;
        }

        return challenge.ExpirationDate > now ? challenge.Options : null;
    }

    /// <summary>Parses a <c>navigator.credentials.create()</c> result, or null when it is not one.</summary>
    public static AuthenticatorAttestationRawResponse? Attestation(JsonElement? json) => Parse<AuthenticatorAttestationRawResponse>(json);

    /// <summary>Parses a <c>navigator.credentials.get()</c> result, or null when it is not one.</summary>
    public static AuthenticatorAssertionRawResponse? Assertion(JsonElement? json) => Parse<AuthenticatorAssertionRawResponse>(json);

    /// <summary>Parses the <c>deviceResponse</c> form field of <c>grant_type=webauthn</c>, or null when it is not an assertion.</summary>
    public static AuthenticatorAssertionRawResponse? Assertion(string? json)
    {
        if (json is not { Length: > 0 and <= MaxDeviceResponseLength })
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return Assertion(document.RootElement.Clone());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static T? Parse<T>(JsonElement? json)
        where T : class
    {
        if (json is not { ValueKind: JsonValueKind.Object } element)
        {
            return null;
        }

        try
        {
            // GetRawText transcodes, so a string of invalid UTF-8 throws InvalidOperationException here.
            return element.GetRawText().Length > MaxDeviceResponseLength ? null : element.Deserialize<T>(BrowserJson);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Checks <paramref name="assertion"/> against the stored <paramref name="optionsJson"/> (challenge, origin, RP id,
    /// user presence and verification, signature, counter) for one of the account's passkeys. The credential is found by
    /// its id among passkeys only (a security key never logs in alone) and, when <paramref name="userId"/> is given,
    /// among that account's. The <c>userHandle</c> must name the credential's owner. On success the new counter and
    /// last use are set on the returned (tracked) credential; nothing is saved here.
    /// </summary>
    public static async Task<WebAuthnCredential?> VerifyAsync(
        IFido2 fido2, CofferDb db, AuthenticatorAssertionRawResponse assertion, string optionsJson, Guid? userId, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fido2);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(assertion);
        if (assertion.Response?.UserHandle is not { Length: 16 } handle || assertion.RawId is not { Length: > 0 } rawId)
        {
            // A discoverable credential always returns its user handle, which is the account id (16 bytes).
            return null;
        }

        var owner = new Guid(handle);
        if (userId is { } expected && owner != expected)
        {
            return null;
        }

        var credentialId = System.Buffers.Text.Base64Url.EncodeToString(rawId);
        var credential = await db.WebAuthnCredentials.SingleOrDefaultAsync(
            c => c.CredentialId == credentialId && c.Kind == WebAuthnCredentialKind.Passkey && c.UserId == owner, ct);
        if (credential is null)
        {
            return null;
        }

        AssertionOptions options;
        try
        {
            options = AssertionOptions.FromJson(optionsJson);
        }
        catch (JsonException)
        {
            return null;
        }

        try
        {
            var result = await fido2.MakeAssertionAsync(
                new MakeAssertionParams
                {
                    AssertionResponse = assertion,
                    OriginalOptions = options,
                    StoredPublicKey = credential.PublicKey,
                    StoredSignatureCounter = (uint)credential.SignCount,
                    // The credential was looked up by its owner (the user handle) above.
                    IsUserHandleOwnerOfCredentialIdCallback = (p, _) => Task.FromResult(p.UserHandle.AsSpan().SequenceEqual(handle)),
                },
                ct);
            credential.SignCount = result.SignCount;
            credential.IsBackedUp = result.IsBackedUp;
            credential.LastUsedDate = now;
            return credential;
        }
        catch (Fido2VerificationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Null when the three wrapped keys form a PRF key set (all three EncStrings, at most 2000 characters each), else
    /// the 400 to answer. The server cannot decrypt them; it checks only that they are there and well formed.
    /// </summary>
    public static IResult? CheckKeySet(string? encryptedUserKey, string? encryptedPublicKey, string? encryptedPrivateKey) =>
        CheckWrappedKey("encryptedUserKey", encryptedUserKey) ?? CheckWrappedKey("encryptedPublicKey", encryptedPublicKey) ?? CheckWrappedKey("encryptedPrivateKey", encryptedPrivateKey);

    /// <summary>Null when <paramref name="value"/> is an EncString of at most 2000 characters, else the 400 naming <paramref name="name"/>.</summary>
    public static IResult? CheckWrappedKey(string name, string? value) =>
        WireValidation.IsEncString(value) && value!.Length <= MaxKeyLength
            ? null
            : BitwardenErrors.BadRequest($"{name} must be an EncString of at most {MaxKeyLength} characters.", name);

    /// <summary>The list entry for one passkey (upstream <c>WebAuthnCredentialResponseModel</c>).</summary>
    public static WebAuthnCredentialResponseModel Response(WebAuthnCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new WebAuthnCredentialResponseModel
        {
            Id = credential.Id.ToString(),
            Name = credential.Name,
            PrfStatus = PrfStatus(credential),
            EncryptedUserKey = credential.EncryptedUserKey,
            EncryptedPublicKey = credential.EncryptedPublicKey,
        };
    }

    private static WebAuthnPrfStatus PrfStatus(WebAuthnCredential credential) =>
        !credential.SupportsPrf ? WebAuthnPrfStatus.Unsupported
        : credential.EncryptedUserKey is not null && credential.EncryptedPrivateKey is not null && credential.EncryptedPublicKey is not null ? WebAuthnPrfStatus.Enabled
        : WebAuthnPrfStatus.Supported;
}
