using Coffer.Protocol.Api;

namespace Coffer.Client;

/// <summary>
/// Two-step login settings (protocol account doc §2.2–§2.4, <c>bitwarden-sharing-features.md</c> §5.2); every call
/// needs a logged-in client except <see cref="SendEmailLoginCodeAsync"/>, which belongs to a login in progress.
/// </summary>
public sealed partial class CofferApiClient
{
    /// <summary><c>GET /api/two-factor</c>: the enabled providers (0 authenticator app, 1 e-mail codes, 7 security keys).</summary>
    public Task<ListResponseModel<TwoFactorProviderResponseModel>> GetTwoFactorProvidersAsync(CancellationToken ct = default) =>
        SendAsync<ListResponseModel<TwoFactorProviderResponseModel>>(HttpMethod.Get, "api/two-factor", null, authenticated: true, ct);

    /// <summary>
    /// <c>POST /api/two-factor/get-authenticator</c>: the key in use (or a fresh one when TOTP is off) and a
    /// 30-minute <c>userVerificationToken</c> bound to that key. A wrong password is a 400.
    /// </summary>
    public Task<TwoFactorAuthenticatorResponseModel> GetAuthenticatorAsync(string masterPasswordHash, CancellationToken ct = default) =>
        SendAsync<TwoFactorAuthenticatorResponseModel>(
            HttpMethod.Post, "api/two-factor/get-authenticator", new SecretVerificationRequestModel { MasterPasswordHash = masterPasswordHash }, authenticated: true, ct);

    /// <summary>
    /// <c>PUT /api/two-factor/authenticator</c>: turns TOTP on for <c>Key</c> with a current <c>Token</c> (6 digits),
    /// proven by <c>UserVerificationToken</c> (from <see cref="GetAuthenticatorAsync"/>) or, for a key of the
    /// caller's choosing, by <c>MasterPasswordHash</c>.
    /// </summary>
    public Task<TwoFactorAuthenticatorResponseModel> EnableAuthenticatorAsync(UpdateTwoFactorAuthenticatorRequestModel request, CancellationToken ct = default) =>
        SendAsync<TwoFactorAuthenticatorResponseModel>(HttpMethod.Put, "api/two-factor/authenticator", request, authenticated: true, ct);

    /// <summary><c>DELETE /api/two-factor/authenticator</c> with the key in use and a fresh verification token.</summary>
    public async Task DisableAuthenticatorAsync(string key, string userVerificationToken, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(
            HttpMethod.Delete,
            "api/two-factor/authenticator",
            new DisableTwoFactorAuthenticatorRequestModel { Key = key, UserVerificationToken = userVerificationToken },
            authenticated: true,
            ct);
    }

    /// <summary>
    /// <c>POST /api/two-factor/get-recover</c>: a recovery code, null while two-step login is off. Coffer keeps only a
    /// hash, so each call issues a new code and the previous one stops working.
    /// </summary>
    public Task<TwoFactorRecoverResponseModel> GetRecoveryCodeAsync(string masterPasswordHash, CancellationToken ct = default) =>
        SendAsync<TwoFactorRecoverResponseModel>(
            HttpMethod.Post, "api/two-factor/get-recover", new SecretVerificationRequestModel { MasterPasswordHash = masterPasswordHash }, authenticated: true, ct);

    /// <summary>
    /// <c>POST /api/two-factor/get-email</c>: whether e-mail codes (provider 1) are on and their address (the account's
    /// own when off), with a 30-minute <c>userVerificationToken</c> for the other e-mail calls. A wrong password is a 400.
    /// </summary>
    public Task<TwoFactorEmailResponseModel> GetTwoFactorEmailAsync(string masterPasswordHash, CancellationToken ct = default) =>
        SendAsync<TwoFactorEmailResponseModel>(
            HttpMethod.Post, "api/two-factor/get-email", new SecretVerificationRequestModel { MasterPasswordHash = masterPasswordHash }, authenticated: true, ct);

    /// <summary><c>POST /api/two-factor/send-email</c>: mails a setup code to <paramref name="email"/> (400 when the server has no mail).</summary>
    public async Task SendTwoFactorEmailSetupCodeAsync(string email, string userVerificationToken, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(
            HttpMethod.Post, "api/two-factor/send-email", new TwoFactorEmailRequestModel { Email = email, UserVerificationToken = userVerificationToken }, authenticated: true, ct);
    }

    /// <summary><c>PUT /api/two-factor/email</c>: turns e-mail codes on for <paramref name="email"/> with the setup code mailed there.</summary>
    public Task<TwoFactorEmailResponseModel> EnableTwoFactorEmailAsync(string email, string code, string userVerificationToken, CancellationToken ct = default) =>
        SendAsync<TwoFactorEmailResponseModel>(
            HttpMethod.Put, "api/two-factor/email", new TwoFactorEmailRequestModel { Email = email, Token = code, UserVerificationToken = userVerificationToken }, authenticated: true, ct);

    /// <summary><c>DELETE /api/two-factor/email</c>: turns e-mail codes off.</summary>
    public async Task DisableTwoFactorEmailAsync(string userVerificationToken, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(
            HttpMethod.Delete, "api/two-factor/email", new TwoFactorEmailRequestModel { UserVerificationToken = userVerificationToken }, authenticated: true, ct);
    }

    /// <summary>
    /// <c>POST /api/two-factor/send-email-login</c> (protocol §4.15, no access token): during a login that was answered
    /// with a challenge offering provider 1, asks for the login code by mail, proving the password again.
    /// </summary>
    public async Task SendEmailLoginCodeAsync(string email, string masterPasswordHash, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(
            HttpMethod.Post,
            "api/two-factor/send-email-login",
            new TwoFactorEmailLoginRequestModel { Email = email, MasterPasswordHash = masterPasswordHash, DeviceIdentifier = _deviceIdentifier },
            authenticated: false,
            ct);
    }

    /// <summary><c>POST /api/two-factor/get-webauthn</c>: the registered security keys (provider 7) and a 30-minute <c>userVerificationToken</c>.</summary>
    public Task<TwoFactorWebAuthnResponseModel> GetSecurityKeysAsync(string masterPasswordHash, CancellationToken ct = default) =>
        SendAsync<TwoFactorWebAuthnResponseModel>(
            HttpMethod.Post, "api/two-factor/get-webauthn", new SecretVerificationRequestModel { MasterPasswordHash = masterPasswordHash }, authenticated: true, ct);

    /// <summary><c>DELETE /api/two-factor/webauthn</c>: removes the key in slot <paramref name="id"/>; returns the keys left.</summary>
    public Task<TwoFactorWebAuthnResponseModel> RemoveSecurityKeyAsync(int id, string userVerificationToken, CancellationToken ct = default) =>
        SendAsync<TwoFactorWebAuthnResponseModel>(
            HttpMethod.Delete, "api/two-factor/webauthn", new TwoFactorWebAuthnRequestModel { Id = id, UserVerificationToken = userVerificationToken }, authenticated: true, ct);

    /// <summary>
    /// <c>POST /api/two-factor/get-webauthn-challenge</c>: the WebAuthn creation options (<c>options</c>) for a new
    /// security key, for an authenticator to answer (a browser's, or a test's); 400 without <c>Coffer:PublicUrl</c>.
    /// </summary>
    public Task<TwoFactorWebAuthnChallengeResponseModel> GetSecurityKeyChallengeAsync(string userVerificationToken, CancellationToken ct = default) =>
        SendAsync<TwoFactorWebAuthnChallengeResponseModel>(
            HttpMethod.Post, "api/two-factor/get-webauthn-challenge", new TwoFactorWebAuthnRequestModel { UserVerificationToken = userVerificationToken }, authenticated: true, ct);

    /// <summary><c>PUT /api/two-factor/webauthn</c>: registers the authenticator's answer to the pending options in slot <c>Id</c> (1–5) as <c>Name</c>.</summary>
    public Task<TwoFactorWebAuthnResponseModel> RegisterSecurityKeyAsync(TwoFactorWebAuthnRequestModel request, CancellationToken ct = default) =>
        SendAsync<TwoFactorWebAuthnResponseModel>(HttpMethod.Put, "api/two-factor/webauthn", request, authenticated: true, ct);
}
