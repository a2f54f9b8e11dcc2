using System.Net;
using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>The unauthenticated identity calls, asserted only as far as a test needs them to succeed.</summary>
public static class IdentityApi
{
    public const string SendVerificationEmail = "/identity/accounts/register/send-verification-email";
    public const string RegisterFinishUrl = "/identity/accounts/register/finish";
    public const string LegacyRegisterUrl = "/identity/accounts/register";
    public const string PreloginUrl = "/identity/accounts/prelogin/password";
    public const string LegacyPreloginUrl = "/identity/accounts/prelogin";
    public const string TokenUrl = "/identity/connect/token";

    /// <summary>§5.1: the token comes back as a bare JSON string when verification e-mails are off.</summary>
    public static async Task<string> RequestRegistrationTokenAsync(HttpClient client, string email, string? name = "Test User")
    {
        using var response = await client.PostJsonAsync(SendVerificationEmail, new JsonObject { ["email"] = email, ["name"] = name });
        var token = await response.ExpectJsonAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.String, token?.GetValueKind());
        return token!.GetValue<string>();
    }

    /// <summary>Registers through the current two-step flow (§5.1 and §5.2).</summary>
    public static async Task RegisterAsync(HttpClient client, Credentials account)
    {
        var token = await RequestRegistrationTokenAsync(client, account.Email, account.Name);
        using var response = await client.PostJsonAsync(RegisterFinishUrl, Payloads.RegisterFinish(account, token));
        await response.ExpectJsonAsync();
    }

    public static Task<HttpResponseMessage> PasswordGrantAsync(HttpClient client, string username, string password, string deviceIdentifier) =>
        client.PostFormAsync(TokenUrl, Payloads.PasswordGrant(username, password, deviceIdentifier));

    public static Task<HttpResponseMessage> RefreshAsync(HttpClient client, string refreshToken) =>
        client.PostFormAsync(TokenUrl, Payloads.RefreshGrant(refreshToken));

    public static async Task<JsonObject> LoginAsync(HttpClient client, Credentials account, string deviceIdentifier)
    {
        using var response = await PasswordGrantAsync(client, account.Email, account.MasterPasswordHash, deviceIdentifier);
        return await response.ExpectObjectAsync(HttpStatusCode.OK);
    }

    public static async Task<JsonObject> PreloginAsync(HttpClient client, string email, string url = PreloginUrl)
    {
        using var response = await client.PostJsonAsync(url, new JsonObject { ["email"] = email });
        return await response.ExpectObjectAsync();
    }
}
