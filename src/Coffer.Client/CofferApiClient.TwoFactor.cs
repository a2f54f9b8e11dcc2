using Coffer.Protocol.Api;

namespace Coffer.Client;

/// <summary>Two-step login settings (protocol account doc §2.2–§2.4); every call needs a logged-in client.</summary>
public sealed partial class CofferApiClient
{
    /// <summary><c>GET /api/two-factor</c>: the enabled providers (0 = authenticator app).</summary>
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
}
