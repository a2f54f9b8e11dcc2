using System.Net;
using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>What an attacker sends over and over, and how a 429 must look.</summary>
public static class AbuseApi
{
    /// <summary>The lockout answer (Abuse/LoginLockout.cs), word for word.</summary>
    public const string LockoutMessage = "Too many failed log-in attempts for this e-mail address. Try again later.";

    /// <summary>A documentation address (RFC 5737), distinct per <paramref name="n"/> (1–254).</summary>
    public static IPAddress Address(int n) => IPAddress.Parse($"203.0.113.{n}");

    public static Task<HttpResponseMessage> WrongPasswordAsync(HttpClient client, string email) =>
        IdentityApi.PasswordGrantAsync(client, email, Fake.MasterPasswordHash(), Fake.DeviceIdentifier());

    public static Task<HttpResponseMessage> PreloginAsync(HttpClient client, string email) =>
        client.PostJsonAsync(IdentityApi.PreloginUrl, new JsonObject { ["email"] = email });

    /// <summary>Asserts 429 with a whole number of seconds in <c>Retry-After</c> (1 to <paramref name="maxSeconds"/>) and Bitwarden's error JSON.</summary>
    public static async Task<int> ExpectTooManyRequestsAsync(this HttpResponseMessage response, int maxSeconds)
    {
        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("Too many requests", (string?)error["message"], StringComparison.Ordinal);
        var retryAfter = Assert.Single(response.Headers.GetValues("Retry-After"));
        Assert.True(int.TryParse(retryAfter, out var seconds) && seconds >= 1 && seconds <= maxSeconds, $"Retry-After: {retryAfter}");
        return seconds;
    }

    /// <summary>Asserts the status is anything but 429 (the request reached its handler).</summary>
    public static void AssertNotLimited(HttpResponseMessage response) =>
        Assert.True(response.StatusCode != HttpStatusCode.TooManyRequests, $"{response.RequestMessage?.RequestUri} was rate limited");
}
