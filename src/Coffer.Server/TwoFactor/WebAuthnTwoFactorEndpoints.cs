using System.Security.Claims;
using System.Text.Json.Nodes;
using Coffer.Protocol.Api;
using Coffer.Server.Accounts;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace Coffer.Server.TwoFactor;

/// <summary>
/// Security keys as a second factor (provider 7, <c>bitwarden-sharing-features.md</c> §5.2, §5.4–§5.5):
/// <c>get-webauthn</c> proves the master password and lists the keys with a <c>userVerificationToken</c>;
/// <c>get-webauthn-challenge</c> creates registration options (stored, one pending per account, for the ceremony's
/// timeout); <c>PUT webauthn</c> consumes them and stores the key verified by Fido2 in a free slot (1–5);
/// <c>DELETE webauthn</c> removes one key, <c>DELETE webauthn/all</c> every key. Answers carry the nested shape of
/// current web vaults and the flat one of older ones (§0.2 item 10). Registration needs <c>Coffer:PublicUrl</c>
/// (<see cref="WebAuthnRelyingParty"/>); listing and removing keys do not.
/// </summary>
public static class WebAuthnTwoFactorEndpoints
{
    private const int Provider = TwoFactorProviderType.WebAuthn;

    public static void MapWebAuthnTwoFactor(this RouteGroupBuilder group)
    {
        group.MapPost("/get-webauthn", Get).Produces<TwoFactorWebAuthnResponseModel>()
            .WithSummary("Re-verify the master password; the registered security keys and a 30-minute verification token");
        group.MapPost("/get-webauthn-challenge", Challenge).Produces<TwoFactorWebAuthnChallengeResponseModel>()
            .WithSummary("WebAuthn creation options for a new security key (needs Coffer:PublicUrl); valid for one registration, 60 seconds");
        group.MapPut("/webauthn", Register).Produces<TwoFactorWebAuthnResponseModel>()
            .WithSummary("Register a security key in a free slot (1-5) with the browser's attestation for the pending options");
        group.MapPost("/webauthn", Register).Produces<TwoFactorWebAuthnResponseModel>().WithSummary("Obsolete alias of PUT /webauthn");
        group.MapDelete("/webauthn", Remove).Produces<TwoFactorWebAuthnResponseModel>()
            .WithSummary("Remove the security key in slot id; removing the last one turns provider 7 off");
        group.MapDelete("/webauthn/all", RemoveAll).WithSummary("Remove every security key (provider 7 off)");
    }

    private static async Task<IResult> Get(
        SecretVerificationRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, UserVerificationTokens tokens, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await TwoFactorEndpoints.CheckPasswordAsync(proof, request, user, ct) is { } denied)
        {
            return denied;
        }

        return await KeysAsync(db, user.Id, "twoFactorWebAuthn", tokens.CreateForProvider(user.Id, Provider), ct);
    }

    private static async Task<IResult> Challenge(
        TwoFactorWebAuthnRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, UserVerificationTokens tokens,
        WebAuthnRelyingParty relyingParty, Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await TwoFactorEndpoints.ProveAsync(tokens, proof, request, request.UserVerificationToken, Provider, user, ct) is { } denied)
        {
            return denied;
        }

        if (relyingParty.Fido2 is not { } fido2)
        {
            return BitwardenErrors.BadRequest(WebAuthnRelyingParty.NeedsPublicUrl);
        }

        var keys = await SecurityKeysAsync(db, user.Id, ct);
        if (keys.Count >= WebAuthnRelyingParty.MaxSecurityKeys)
        {
            return TooMany();
        }

        var options = fido2.RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = user.Id.ToByteArray(), Name = user.Email, DisplayName = user.Name ?? user.Email },
            // Every registered key, so the browser refuses to register one authenticator twice.
            ExcludeCredentials = SecurityKeyLogin.Descriptors(keys),
            // A second factor, not a passkey: no resident key, no PIN or biometric required (both servers do this).
            AuthenticatorSelection = new AuthenticatorSelection { ResidentKey = ResidentKeyRequirement.Discouraged, UserVerification = UserVerificationRequirement.Discouraged },
            AttestationPreference = AttestationConveyancePreference.None,
            PubKeyCredParams = PubKeyCredParam.Defaults,
        });
        var json = options.ToJson();
        await SecurityKeyLogin.SaveChallengeAsync(db, user.Id, WebAuthnCeremony.RegisterSecurityKey, json, changes.Now);
        await changes.CommitAsync(ct: ct);

        // Nested for current web vaults, flat (with Vaultwarden's status fields) for older ones. The client maps
        // excludeCredentials unconditionally: always an array.
        var nested = JsonNode.Parse(json)!.AsObject();
        nested["excludeCredentials"] ??= new JsonArray();
        var answer = nested.DeepClone().AsObject();
        answer["options"] = nested;
        answer["status"] = "ok";
        answer["errorMessage"] = "";
        answer["object"] = "twoFactorWebAuthnChallenge";
        return Results.Json(answer, CofferJson.Options);
    }

    private static async Task<IResult> Register(
        TwoFactorWebAuthnRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, UserVerificationTokens tokens,
        WebAuthnRelyingParty relyingParty, Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await TwoFactorEndpoints.ProveAsync(tokens, proof, request, request.UserVerificationToken, Provider, user, ct) is { } denied)
        {
            return denied;
        }

        if (relyingParty.Fido2 is not { } fido2)
        {
            return BitwardenErrors.BadRequest(WebAuthnRelyingParty.NeedsPublicUrl);
        }

        if (request.Id is not (>= 1 and <= WebAuthnRelyingParty.MaxSecurityKeys) || request.Id is not { } slot)
        {
            return BitwardenErrors.BadRequest($"The key's id must be a slot from 1 to {WebAuthnRelyingParty.MaxSecurityKeys}.", "Id");
        }

        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 50)
        {
            return BitwardenErrors.BadRequest("The key needs a name of at most 50 characters.", "Name");
        }

        var keys = await SecurityKeysAsync(db, user.Id, ct);
        if (keys.Count >= WebAuthnRelyingParty.MaxSecurityKeys)
        {
            return TooMany();
        }

        if (keys.Any(k => k.SlotId == slot))
        {
            return BitwardenErrors.BadRequest("A security key is already registered in this slot.", "Id");
        }

        // Single use, and only this account's own pending options (W-6).
        if (await SecurityKeyLogin.TakeChallengeAsync(db, user.Id, WebAuthnCeremony.RegisterSecurityKey, changes.Now) is not { } pending)
        {
            return BitwardenErrors.BadRequest("No security key registration is pending: ask for a new challenge.");
        }

        if (WebAuthnPayloads.Attestation(request.DeviceResponse) is not { } attestation)
        {
            return BitwardenErrors.BadRequest("The security key's answer is malformed.", "DeviceResponse");
        }

        RegisteredPublicKeyCredential credential;
        try
        {
            credential = await fido2.MakeNewCredentialAsync(
                new MakeNewCredentialParams
                {
                    AttestationResponse = attestation,
                    OriginalOptions = CredentialCreateOptions.FromJson(pending),
                    // Credential ids are unique across every account (and kind): a key registered anywhere is refused.
                    IsCredentialIdUniqueToUserCallback = async (p, token) =>
                    {
                        var id = Base64UrlEncoder.Encode(p.CredentialId);
                        return !await db.WebAuthnCredentials.AnyAsync(c => c.CredentialId == id, token);
                    },
                },
                ct);
        }
        catch (Fido2VerificationException e)
        {
            return BitwardenErrors.BadRequest("The security key could not be verified: " + e.Message);
        }

        db.WebAuthnCredentials.Add(new WebAuthnCredential
        {
            Id = Guid.NewGuid(),
            UserId = user.Id,
            Kind = WebAuthnCredentialKind.SecurityKey,
            SlotId = slot,
            Name = name,
            CredentialId = Base64UrlEncoder.Encode(credential.Id),
            PublicKey = credential.PublicKey,
            SignCount = credential.SignCount,
            Transports = WebAuthnPayloads.TransportList(credential.Transports),
            AaGuid = credential.AaGuid,
            IsBackupEligible = credential.IsBackupEligible,
            IsBackedUp = credential.IsBackedUp,
            CreationDate = changes.Now,
        });
        await TwoFactorEndpoints.CommitEnabledAsync(db, user, changes, "webauthn", ct);
        return await KeysAsync(db, user.Id, "twoFactorWebAuthn", null, ct);
    }

    private static async Task<IResult> Remove(
        [FromBody] TwoFactorWebAuthnRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, UserVerificationTokens tokens,
        Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await TwoFactorEndpoints.ProveAsync(tokens, proof, request, request.UserVerificationToken, Provider, user, ct) is { } denied)
        {
            return denied;
        }

        if (request.Id is not { } slot || !await db.WebAuthnCredentials.AnyAsync(c => c.UserId == user.Id && c.Kind == WebAuthnCredentialKind.SecurityKey && c.SlotId == slot, ct))
        {
            return BitwardenErrors.BadRequest("No security key is registered in this slot.", "Id");
        }

        await RemoveKeysAsync(db, user, changes, slot, ct);
        return await KeysAsync(db, user.Id, "twoFactorWebAuthn", null, ct);
    }

    private static async Task<IResult> RemoveAll(
        [FromBody] TwoFactorWebAuthnRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, UserVerificationTokens tokens,
        Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await TwoFactorEndpoints.ProveAsync(tokens, proof, request, request.UserVerificationToken, Provider, user, ct) is { } denied)
        {
            return denied;
        }

        await RemoveKeysAsync(db, user, changes, slot: null, ct);
        return Results.NoContent();
    }

    /// <summary>Removes the key in <paramref name="slot"/> (every key when null) and commits; provider 7 is off once none is left.</summary>
    internal static async Task RemoveKeysAsync(CofferDb db, User user, Changes changes, int? slot, CancellationToken ct)
    {
        var keys = await SecurityKeysAsync(db, user.Id, ct);
        var removed = keys.Where(k => slot is null || k.SlotId == slot).ToList();
        if (removed.Count == 0)
        {
            return;
        }

        db.WebAuthnCredentials.RemoveRange(removed);
        if (removed.Count == keys.Count)
        {
            db.WebAuthnChallenges.RemoveRange(await db.WebAuthnChallenges.Where(c => c.UserId == user.Id && c.Ceremony == WebAuthnCeremony.LogInWithSecurityKey).ToListAsync(ct));
        }

        await TwoFactorEndpoints.CommitDisabledAsync(db, user, changes, "webauthn", keysRemain: removed.Count < keys.Count, ct);
    }

    private static Task<List<WebAuthnCredential>> SecurityKeysAsync(CofferDb db, Guid userId, CancellationToken ct) =>
        db.WebAuthnCredentials.Where(c => c.UserId == userId && c.Kind == WebAuthnCredentialKind.SecurityKey).OrderBy(c => c.SlotId).ToListAsync(ct);

    private static async Task<IResult> KeysAsync(CofferDb db, Guid userId, string type, string? userVerificationToken, CancellationToken ct)
    {
        List<TwoFactorWebAuthnKeyModel> keys = [.. (await db.WebAuthnCredentials.AsNoTracking()
                .Where(c => c.UserId == userId && c.Kind == WebAuthnCredentialKind.SecurityKey).OrderBy(c => c.SlotId).ToListAsync(ct))
            .Select(c => new TwoFactorWebAuthnKeyModel { Name = c.Name, Id = c.SlotId })];
        var enabled = keys.Count > 0;
        return Results.Json(
            new TwoFactorWebAuthnResponseModel
            {
                WebAuthn = new() { Enabled = enabled, Keys = keys },
                Enabled = enabled,
                Keys = keys,
                UserVerificationToken = userVerificationToken,
                Object = type,
            },
            CofferJson.Options);
    }

    private static IResult TooMany() =>
        BitwardenErrors.BadRequest($"At most {WebAuthnRelyingParty.MaxSecurityKeys} security keys can be registered: remove one first.");
}
