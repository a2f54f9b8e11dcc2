using Coffer.Protocol.Api;

namespace Coffer.Client;

/// <summary>The outcome of a password grant: tokens, or a request for a second factor.</summary>
public abstract record LoginResult;

public sealed record LoginSucceeded(IdentityTokenResponseModel Token) : LoginResult;

/// <summary>
/// The password was right but the account wants a second factor (protocol §4.3.3). <see cref="Providers"/>
/// holds the offered provider types: 0 authenticator (TOTP), 1 e-mail, 3 YubiKey, 7 security key, …
/// </summary>
public sealed record TwoFactorRequired(IReadOnlyList<int> Providers) : LoginResult
{
    /// <summary>Provider 1's address as the server masks it (<c>TwoFactorProviders2["1"].Email</c>, e.g. <c>a***@example.com</c>).</summary>
    public string? MaskedEmail { get; init; }
}

/// <summary>A second-factor code to send with the password grant.</summary>
public sealed record TwoFactorCode(int Provider, string Code, bool Remember = false);
