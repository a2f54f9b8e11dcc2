using Coffer.Protocol.Api;

namespace Coffer.Client;

/// <summary>Account security and devices (account doc §3, §4). Every call throws <see cref="CofferApiException"/> on failure.</summary>
public sealed partial class CofferApiClient
{
    /// <summary><c>POST /api/accounts/password</c>; every session, this one included, ends on success.</summary>
    public Task ChangePasswordAsync(PasswordRequestModel request, CancellationToken ct = default) =>
        SendNoContentAsync(HttpMethod.Post, "api/accounts/password", request, ct);

    /// <summary><c>POST /api/accounts/kdf</c>; every session ends on success.</summary>
    public Task ChangeKdfAsync(KdfRequestModel request, CancellationToken ct = default) =>
        SendNoContentAsync(HttpMethod.Post, "api/accounts/kdf", request, ct);

    public Task<KeyRotationDataResponseModel> GetKeyRotationDataAsync(CancellationToken ct = default) =>
        SendAsync<KeyRotationDataResponseModel>(HttpMethod.Get, "api/accounts/key-management/key-rotation-data", null, authenticated: true, ct);

    /// <summary><c>POST /api/accounts/key-management/rotate-user-account-keys</c>: all or nothing; every session ends on success.</summary>
    public Task RotateUserAccountKeysAsync(RotateUserAccountKeysAndDataRequestModel request, CancellationToken ct = default) =>
        SendNoContentAsync(HttpMethod.Post, "api/accounts/key-management/rotate-user-account-keys", request, ct);

    public Task RequestEmailTokenAsync(EmailTokenRequestModel request, CancellationToken ct = default) =>
        SendNoContentAsync(HttpMethod.Post, "api/accounts/email-token", request, ct);

    /// <summary><c>POST /api/accounts/email</c>; every session ends on success.</summary>
    public Task ChangeEmailAsync(EmailRequestModel request, CancellationToken ct = default) =>
        SendNoContentAsync(HttpMethod.Post, "api/accounts/email", request, ct);

    /// <summary><c>POST /api/accounts/security-stamp</c>: ends every session of the account.</summary>
    public Task DeauthorizeSessionsAsync(SecretVerificationRequestModel request, CancellationToken ct = default) =>
        SendNoContentAsync(HttpMethod.Post, "api/accounts/security-stamp", request, ct);

    /// <summary><c>DELETE /api/accounts</c> with the verification in the body: the account and its vault are gone.</summary>
    public Task DeleteAccountAsync(SecretVerificationRequestModel request, CancellationToken ct = default) =>
        SendNoContentAsync(HttpMethod.Delete, "api/accounts", request, ct);

    public Task<ListResponseModel<DeviceAuthRequestResponseModel>> ListDevicesAsync(CancellationToken ct = default) =>
        SendAsync<ListResponseModel<DeviceAuthRequestResponseModel>>(HttpMethod.Get, "api/devices", null, authenticated: true, ct);

    /// <summary><c>POST /api/devices/{id}/deactivate</c>, <paramref name="id"/> being the server's device id.</summary>
    public Task DeactivateDeviceAsync(Guid id, CancellationToken ct = default) =>
        SendNoContentAsync(HttpMethod.Post, $"api/devices/{id}/deactivate", null, ct);

    private async Task SendNoContentAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await SendRawAsync(method, path, body, authenticated: true, ct);
    }
}
