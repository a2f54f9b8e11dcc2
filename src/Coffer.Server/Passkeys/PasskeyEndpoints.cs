using System.Buffers.Text;
using System.Security.Claims;
using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Abuse;
using Coffer.Server.Accounts;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.TwoFactor;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Passkeys;

/// <summary>
/// Passkey management under <c>/api/webauthn</c> (<c>bitwarden-sharing-features.md</c> §5.6, upstream
/// <c>WebAuthnController</c>): list, creation options behind the master password, save (with the PRF key set when the
/// authenticator has PRF), store a PRF key set on an existing passkey after an assertion by it, and delete behind the
/// master password. Passkeys are discoverable credentials with user verification required, stored in
/// <c>webauthn_credentials</c> as <see cref="WebAuthnCredentialKind.Passkey"/>. Without <c>Coffer:PublicUrl</c> every
/// route but the list answers 400 (<see cref="WebAuthnRelyingParty.NeedsPublicUrl"/>).
/// </summary>
public static class PasskeyEndpoints
{
    private const string VerificationFailed = "User verification failed.";
    private const string BadToken = "The token associated with your request is invalid or has expired. A valid token is required to continue.";

    public static void MapPasskeys(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/webauthn").RateLimited(RateLimitFamily.TwoFactor).WithTags("Passkeys");
        group.MapGet("", List).Produces<ListResponseModel<WebAuthnCredentialResponseModel>>().WithSummary("The account's passkeys");
        group.MapPost("/attestation-options", AttestationOptions).Produces<WebAuthnCredentialCreateOptionsResponseModel>()
            .WithSummary("Re-verify the master password; creation options for a new passkey and the token naming them");
        group.MapPost("", Create).Produces<WebAuthnCredentialResponseModel>()
            .WithSummary("Save a new passkey (and its PRF key set when the authenticator has PRF)");
        group.MapPost("/assertion-options", AssertionOptions).Produces<WebAuthnLoginAssertionOptionsResponseModel>()
            .WithSummary("Re-verify the master password; assertion options to prove a passkey before storing its PRF key set");
        group.MapPut("", UpdateKeySet).WithSummary("Store a PRF key set on an existing passkey, proven by an assertion");
        group.MapPost("/{id}/delete", Delete).WithSummary("Re-verify the master password; delete one passkey");
    }

    private static async Task<IResult> List(ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var userId = principal.UserId();
        var passkeys = await db.WebAuthnCredentials.AsNoTracking()
            .Where(c => c.UserId == userId && c.Kind == WebAuthnCredentialKind.Passkey).OrderBy(c => c.CreationDate).ToListAsync(ct);
        return Results.Json(new ListResponseModel<WebAuthnCredentialResponseModel> { Data = passkeys.Select(PasskeyCeremonies.Response).ToList() }, CofferJson.Options);
    }

    private static async Task<IResult> AttestationOptions(
        SecretVerificationRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, WebAuthnRelyingParty rp, Changes changes, CancellationToken ct)
    {
        if (rp.Fido2 is not { } fido2)
        {
            return BitwardenErrors.BadRequest(WebAuthnRelyingParty.NeedsPublicUrl);
        }

        var (user, denied) = await ProveAsync(request, principal, db, proof, ct);
        if (denied is not null)
        {
            return denied;
        }

        var existing = await db.WebAuthnCredentials.AsNoTracking()
            .Where(c => c.UserId == user.Id && c.Kind == WebAuthnCredentialKind.Passkey).Select(c => c.CredentialId).ToListAsync(ct);
        if (existing.Count >= PasskeyCeremonies.MaxPasskeys)
        {
            return BitwardenErrors.BadRequest($"An account can have at most {PasskeyCeremonies.MaxPasskeys} passkeys.");
        }

        var options = fido2.RequestNewCredential(new RequestNewCredentialParams
        {
            // The user handle is the account id: at login it names the account without an e-mail being typed.
            User = new Fido2User { Id = user.Id.ToByteArray(), Name = user.Email, DisplayName = user.Name ?? user.Email },
            ExcludeCredentials = existing.Select(id => new PublicKeyCredentialDescriptor(Base64Url.DecodeFromChars(id))).ToList(),
            AuthenticatorSelection = new AuthenticatorSelection
            {
                ResidentKey = ResidentKeyRequirement.Required,
                UserVerification = UserVerificationRequirement.Required,
            },
            AttestationPreference = AttestationConveyancePreference.None,
            PubKeyCredParams = PubKeyCredParam.Defaults,
        });

        var token = await StoreAsync(db, user.Id, WebAuthnCeremony.RegisterPasskey, options.ToJson(), changes, ct);
        return Results.Json(new WebAuthnCredentialCreateOptionsResponseModel { Options = JsonElementOf(options.ToJson()), Token = token }, CofferJson.Options);
    }

    private static async Task<IResult> Create(
        WebAuthnLoginCredentialCreateRequestModel request, ClaimsPrincipal principal, CofferDb db, WebAuthnRelyingParty rp, Changes changes, CancellationToken ct)
    {
        if (rp.Fido2 is not { } fido2)
        {
            return BitwardenErrors.BadRequest(WebAuthnRelyingParty.NeedsPublicUrl);
        }

        var userId = principal.UserId();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > PasskeyCeremonies.MaxNameLength)
        {
            return BitwardenErrors.BadRequest($"A passkey needs a name of at most {PasskeyCeremonies.MaxNameLength} characters.", "name");
        }

        var hasKeys = request.EncryptedUserKey is not null || request.EncryptedPublicKey is not null || request.EncryptedPrivateKey is not null;
        if (hasKeys && (!request.SupportsPrf || PasskeyCeremonies.CheckKeySet(request.EncryptedUserKey, request.EncryptedPublicKey, request.EncryptedPrivateKey) is not null))
        {
            return PasskeyCeremonies.CheckKeySet(request.EncryptedUserKey, request.EncryptedPublicKey, request.EncryptedPrivateKey)
                ?? BitwardenErrors.BadRequest("A PRF key set needs an authenticator with PRF (supportsPrf).", "supportsPrf");
        }

        if (PasskeyCeremonies.Attestation(request.DeviceResponse) is not { } attestation)
        {
            return BitwardenErrors.BadRequest("deviceResponse is not a WebAuthn attestation.", "deviceResponse");
        }

        var optionsJson = await PasskeyCeremonies.TakeAsync(db, request.Token, WebAuthnCeremony.RegisterPasskey, userId, changes.Now, ct);
        if (optionsJson is null)
        {
            return BitwardenErrors.BadRequest(BadToken, "token");
        }

        if (await db.WebAuthnCredentials.CountAsync(c => c.UserId == userId && c.Kind == WebAuthnCredentialKind.Passkey, ct) >= PasskeyCeremonies.MaxPasskeys)
        {
            return BitwardenErrors.BadRequest($"An account can have at most {PasskeyCeremonies.MaxPasskeys} passkeys.");
        }

        RegisteredPublicKeyCredential registered;
        try
        {
            registered = await fido2.MakeNewCredentialAsync(
                new MakeNewCredentialParams
                {
                    AttestationResponse = attestation,
                    OriginalOptions = CredentialCreateOptions.FromJson(optionsJson),
                    // Unique across every account (the unique index says the same): a credential id names one key.
                    IsCredentialIdUniqueToUserCallback = async (p, token) =>
                    {
                        var id = Base64Url.EncodeToString(p.CredentialId);
                        return !await db.WebAuthnCredentials.AnyAsync(c => c.CredentialId == id, token);
                    },
                },
                ct);
        }
        catch (Fido2VerificationException)
        {
            return BitwardenErrors.BadRequest("Unable to complete WebAuthn registration.", "deviceResponse");
        }

        if (!registered.User.Id.AsSpan().SequenceEqual(userId.ToByteArray()))
        {
            return BitwardenErrors.BadRequest("Unable to complete WebAuthn registration.", "deviceResponse");
        }

        var credential = new WebAuthnCredential
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            Kind = WebAuthnCredentialKind.Passkey,
            Name = name,
            CredentialId = Base64Url.EncodeToString(registered.Id),
            PublicKey = registered.PublicKey,
            SignCount = registered.SignCount,
            Transports = registered.Transports is { Length: > 0 } transports ? string.Join(',', transports.Select(TransportName)) : null,
            AaGuid = registered.AaGuid,
            IsBackupEligible = registered.IsBackupEligible,
            IsBackedUp = registered.IsBackedUp,
            SupportsPrf = request.SupportsPrf,
            EncryptedUserKey = hasKeys ? request.EncryptedUserKey : null,
            EncryptedPublicKey = hasKeys ? request.EncryptedPublicKey : null,
            EncryptedPrivateKey = hasKeys ? request.EncryptedPrivateKey : null,
            CreationDate = changes.Now,
        };
        db.WebAuthnCredentials.Add(credential);
        await changes.CommitAsync(ct: ct);
        return Results.Json(PasskeyCeremonies.Response(credential), CofferJson.Options);
    }

    private static async Task<IResult> AssertionOptions(
        SecretVerificationRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, WebAuthnRelyingParty rp, Changes changes, CancellationToken ct)
    {
        if (rp.Fido2 is not { } fido2)
        {
            return BitwardenErrors.BadRequest(WebAuthnRelyingParty.NeedsPublicUrl);
        }

        var (user, denied) = await ProveAsync(request, principal, db, proof, ct);
        if (denied is not null)
        {
            return denied;
        }

        var options = LoginOptions(fido2);
        var token = await StoreAsync(db, user.Id, WebAuthnCeremony.VerifyPasskey, options.ToJson(), changes, ct);
        return Results.Json(new WebAuthnLoginAssertionOptionsResponseModel { Options = JsonElementOf(options.ToJson()), Token = token }, CofferJson.Options);
    }

    private static async Task<IResult> UpdateKeySet(
        WebAuthnLoginCredentialUpdateRequestModel request, ClaimsPrincipal principal, CofferDb db, WebAuthnRelyingParty rp, Changes changes, CancellationToken ct)
    {
        if (rp.Fido2 is not { } fido2)
        {
            return BitwardenErrors.BadRequest(WebAuthnRelyingParty.NeedsPublicUrl);
        }

        if (PasskeyCeremonies.CheckKeySet(request.EncryptedUserKey, request.EncryptedPublicKey, request.EncryptedPrivateKey) is { } invalid)
        {
            return invalid;
        }

        if (PasskeyCeremonies.Assertion(request.DeviceResponse) is not { } assertion)
        {
            return BitwardenErrors.BadRequest("deviceResponse is not a WebAuthn assertion.", "deviceResponse");
        }

        var userId = principal.UserId();
        var optionsJson = await PasskeyCeremonies.TakeAsync(db, request.Token, WebAuthnCeremony.VerifyPasskey, userId, changes.Now, ct);
        if (optionsJson is null)
        {
            return BitwardenErrors.BadRequest(BadToken, "token");
        }

        // Unlike upstream, the passkey must be this account's: a signed-in user cannot attach keys to another's passkey.
        var credential = await PasskeyCeremonies.VerifyAsync(fido2, db, assertion, optionsJson, userId, changes.Now, ct);
        if (credential is null || !credential.SupportsPrf)
        {
            return BitwardenErrors.BadRequest("Unable to update credential.", "deviceResponse");
        }

        credential.EncryptedUserKey = request.EncryptedUserKey;
        credential.EncryptedPublicKey = request.EncryptedPublicKey;
        credential.EncryptedPrivateKey = request.EncryptedPrivateKey;
        await changes.CommitAsync(ct: ct);
        return Results.Ok();
    }

    private static async Task<IResult> Delete(
        string id, SecretVerificationRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, Changes changes, CancellationToken ct)
    {
        var (user, denied) = await ProveAsync(request, principal, db, proof, ct);
        if (denied is not null)
        {
            return denied;
        }

        // Another account's passkey and one that does not exist answer alike.
        if (!Guid.TryParse(id, out var credentialId)
            || await db.WebAuthnCredentials.SingleOrDefaultAsync(c => c.Id == credentialId && c.UserId == user.Id && c.Kind == WebAuthnCredentialKind.Passkey, ct) is not { } credential)
        {
            return BitwardenErrors.NotFound("Credential not found.");
        }

        db.WebAuthnCredentials.Remove(credential);
        await changes.CommitAsync(ct: ct);
        return Results.Ok();
    }

    /// <summary>The signed-in account, or the answer when <paramref name="request"/> does not prove its master password (400, never 401/403).</summary>
    private static async Task<(User User, IResult? Denied)> ProveAsync(
        SecretVerificationRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == principal.UserId(), ct);
        return (user, await proof.CheckAsync(request.MasterPasswordHash, user, BitwardenErrors.BadRequest(VerificationFailed), ct));
    }

    /// <summary>Stores the options of a ceremony in progress, replacing the account's earlier one of that ceremony, and returns its token.</summary>
    private static async Task<string> StoreAsync(CofferDb db, Guid userId, WebAuthnCeremony ceremony, string optionsJson, Changes changes, CancellationToken ct)
    {
        await db.WebAuthnChallenges.Where(c => c.UserId == userId && c.Ceremony == ceremony).ExecuteDeleteAsync(ct);
        var token = PasskeyCeremonies.Store(db, userId, ceremony, optionsJson, changes.Now);
        await changes.CommitAsync(ct: ct);
        return token;
    }

    /// <summary>Assertion options for a passkey: no allowed credentials (the authenticator offers its discoverable ones), user verification required.</summary>
    internal static AssertionOptions LoginOptions(IFido2 fido2) => fido2.GetAssertionOptions(new GetAssertionOptionsParams
    {
        AllowedCredentials = [],
        UserVerification = UserVerificationRequirement.Required,
    });

    internal static JsonElement JsonElementOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string TransportName(AuthenticatorTransport transport) => JsonSerializer.Serialize(transport).Trim('"');
}
