using Coffer.Protocol.Api;
using Coffer.Server.Files;

namespace Coffer.Server.Sends;

/// <summary>
/// <c>POST /identity/connect/token</c> with <c>grant_type=send_access</c> (<c>bitwarden-sharing-features.md</c> §3.8):
/// what <c>bw send receive</c> and current web vaults ask first. Form fields <c>client_id=send</c>,
/// <c>scope=api.send.access</c>, <c>send_id</c> (the access id) and, for a password Send, <c>password_hash_b64</c>.
/// Success: a 2-minute Send access token (<see cref="ScopedTokens.SendAccess"/>). Errors: 400 with <c>error</c> and
/// <c>send_access_error_type</c> from the §3.8 table; an unknown id and an unavailable Send (disabled, expired,
/// deleted, exhausted, file not uploaded) answer the same <c>send_id_invalid</c> (S-7). The grant spends the
/// <c>SendAccessPerIp</c> budget (Abuse/RateLimiting) and wrong passwords the Send's own failure budget
/// (<see cref="SendAccess.CheckPasswordAsync"/>), so a Send password cannot be guessed at network speed (S-6).
/// </summary>
public static class SendAccessGrant
{
    public const string GrantType = "send_access";

    /// <summary>Lifetime of a Send access token; short, because the CLI caches it per Send and skips the grant while it lasts (pitfall 14).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    /// <summary>Answers the grant; <paramref name="field"/> reads a form field by its folded name (<c>sendid</c>, <c>passwordhashb64</c>).</summary>
    public static async Task<IResult> HandleAsync(HttpContext context, Func<string, string?> field)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(field);
        if (field("clientid") != "send")
        {
            return Error("invalid_client", "client_id must be send for this grant.", null);
        }

        if (field("scope") is { } scope && scope != "api.send.access")
        {
            return Error("invalid_scope", "scope must be api.send.access.", null);
        }

        if (string.IsNullOrEmpty(field("sendid")))
        {
            return Error("invalid_request", "send_id is required.", "send_id_required");
        }

        var access = context.RequestServices.GetRequiredService<SendAccess>();
        var ct = context.RequestAborted;
        var send = await access.FindAvailableAsync(SendAccessId.Decode(field("sendid")), ct);
        if (send is null)
        {
            return Error("invalid_grant", "send_id is invalid.", "send_id_invalid");
        }

        switch (await access.CheckPasswordAsync(send, field("passwordhashb64"), ct))
        {
            case SendAccess.PasswordCheck.Missing:
                return Error("invalid_request", "password_hash_b64 is required.", "password_hash_b64_required");
            case SendAccess.PasswordCheck.Wrong:
                return Error("invalid_grant", "password_hash_b64 is invalid.", "password_hash_b64_invalid");
        }

        var tokens = context.RequestServices.GetRequiredService<ScopedTokens>();
        return Results.Json(
            new SendAccessTokenResponseModel { AccessToken = tokens.Create(ScopedTokens.SendAccess, send.Id.ToString("D"), Lifetime), ExpiresIn = (int)Lifetime.TotalSeconds },
            CofferJson.Options);
    }

    private static IResult Error(string error, string description, string? type) => Results.Json(
        new Dictionary<string, string?> { ["error"] = error, ["error_description"] = description, ["send_access_error_type"] = type },
        CofferJson.Options,
        statusCode: StatusCodes.Status400BadRequest);
}
