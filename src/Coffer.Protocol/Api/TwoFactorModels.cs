namespace Coffer.Protocol.Api;

/// <summary>
/// <c>PUT /api/two-factor/authenticator</c> (account doc §2.3 step 2): <c>token</c> is the 6-digit code for
/// <c>key</c>; the proof is <c>userVerificationToken</c> (current clients) or <c>masterPasswordHash</c> (older ones).
/// </summary>
public sealed record UpdateTwoFactorAuthenticatorRequestModel : SecretVerificationRequestModel
{
    public string? Token { get; init; }
    public string? Key { get; init; }
    public string? UserVerificationToken { get; init; }
}

/// <summary><c>DELETE /api/two-factor/authenticator</c> (account doc §2.3 step 3): <c>{key, userVerificationToken}</c>; older bodies carry <c>type</c> and <c>masterPasswordHash</c>.</summary>
public sealed record DisableTwoFactorAuthenticatorRequestModel : SecretVerificationRequestModel
{
    public string? Key { get; init; }
    public string? UserVerificationToken { get; init; }
    public int? Type { get; init; }
}

/// <summary>The legacy <c>PUT /api/two-factor/disable</c> body: <c>{type, masterPasswordHash}</c>.</summary>
public sealed record TwoFactorProviderRequestModel : SecretVerificationRequestModel
{
    public int? Type { get; init; }
}

/// <summary>The inner <c>authenticator</c> object: whether TOTP is on, and its Base32 secret.</summary>
public sealed record TwoFactorAuthenticatorModel
{
    public bool Enabled { get; init; }
    public required string Key { get; init; }
}

/// <summary>
/// <c>get-authenticator</c> and <c>PUT authenticator</c> answers (account doc §2.3): the nested shape of current
/// clients plus the flat <c>enabled</c>/<c>key</c> of older web vaults (§6), which clients ignore when unused.
/// </summary>
public sealed record TwoFactorAuthenticatorResponseModel
{
    public required TwoFactorAuthenticatorModel Authenticator { get; init; }
    public bool Enabled { get; init; }
    public required string Key { get; init; }

    /// <summary>Present on <c>get-authenticator</c> only: the server-minted proof for the following PUT or DELETE (30 minutes).</summary>
    public string? UserVerificationToken { get; init; }

    public string Object { get; init; } = "twoFactorAuthenticator";
}

/// <summary>One element of <c>GET /api/two-factor</c> (account doc §2.2).</summary>
public sealed record TwoFactorProviderResponseModel
{
    public bool Enabled { get; init; }
    public int Type { get; init; }
    public string Object { get; init; } = "twoFactorProvider";
}

/// <summary><c>POST /api/two-factor/get-recover</c> (account doc §2.4); <c>code</c> is null while no provider is enabled.</summary>
public sealed record TwoFactorRecoverResponseModel
{
    public string? Code { get; init; }
    public string Object { get; init; } = "twoFactorRecover";
}

/// <summary>Provider numbers of <c>TwoFactorProviders2</c> (protocol §4.3.3).</summary>
public static class TwoFactorProviderType
{
    public const int Authenticator = 0;
    public const int Email = 1;
    public const int Remember = 5;
    public const int WebAuthn = 7;
    public const int RecoveryCode = 8;
}
