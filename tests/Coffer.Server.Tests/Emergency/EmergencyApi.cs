using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Emergency;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Emergency;

/// <summary>
/// Drives emergency access through its routes (<c>bitwarden-sharing-features.md</c> §4.5) as the web vault does: a
/// grantor and a grantee, each a real account, moved through the state machine one request at a time.
/// </summary>
public static class EmergencyApi
{
    public const string NotValid = "Emergency Access not valid.";

    /// <summary>A key as the grantor's client wraps it for the grantee (RSA-OAEP, EncString type 4): opaque to the server.</summary>
    public static string WrappedKey() => "4." + Fake.Base64(256);

    public static JsonObject InviteBody(string email, int type = 0, int waitTimeDays = 7) =>
        new() { ["email"] = email, ["type"] = type, ["waitTimeDays"] = waitTimeDays };

    public static Task<HttpResponseMessage> InviteRequestAsync(this TestAccount grantor, string email, int type = 0, int waitTimeDays = 7) =>
        grantor.Client.PostJsonAsync("/api/emergency-access/invite", InviteBody(email, type, waitTimeDays));

    /// <summary>Invites <paramref name="email"/> and returns the new grant's id (read back from <c>GET …/trusted</c>).</summary>
    public static async Task<string> InviteAsync(this TestAccount grantor, string email, int type = 0, int waitTimeDays = 7)
    {
        using (var response = await grantor.InviteRequestAsync(email, type, waitTimeDays))
        {
            await response.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var grant = (await grantor.TrustedAsync()).Single(g => string.Equals((string?)g!["email"], email, StringComparison.OrdinalIgnoreCase));
        return grant!.RequireString("id");
    }

    public static async Task<JsonArray> TrustedAsync(this TestAccount account)
    {
        using var response = await account.Client.GetAsync("/api/emergency-access/trusted");
        return (await response.ExpectObjectAsync()).RequireArray("data");
    }

    public static async Task<JsonArray> GrantedAsync(this TestAccount account)
    {
        using var response = await account.Client.GetAsync("/api/emergency-access/granted");
        return (await response.ExpectObjectAsync()).RequireArray("data");
    }

    public static async Task<JsonObject> GrantAsync(this TestAccount grantor, string id)
    {
        using var response = await grantor.Client.GetAsync($"/api/emergency-access/{id}");
        return await response.ExpectObjectAsync();
    }

    /// <summary>POST …/{id}/{action} with <paramref name="body"/> (none when null).</summary>
    public static Task<HttpResponseMessage> PostAsync(this TestAccount account, string id, string action, JsonObject? body = null) =>
        body is null
            ? account.Client.SendEmptyAsync(HttpMethod.Post, $"/api/emergency-access/{id}/{action}")
            : account.Client.PostJsonAsync($"/api/emergency-access/{id}/{action}", body);

    /// <summary>POST …/{id}/{action}, which must answer 200.</summary>
    public static async Task<JsonObject?> ExpectPostAsync(this TestAccount account, string id, string action, JsonObject? body = null)
    {
        using var response = await account.PostAsync(id, action, body);
        await response.ExpectSuccessAsync();
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
    }

    /// <summary>Asserts the Bitwarden error body of a refused request: 400 (never 403 or 404) and <paramref name="message"/>.</summary>
    public static async Task ExpectRefusedAsync(this Task<HttpResponseMessage> request, string message = NotValid)
    {
        using var response = await request;
        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(message, (string?)error["message"]);
    }

    public static Task ConfirmAsync(this TestAccount grantor, string id) =>
        grantor.ExpectPostAsync(id, "confirm", new JsonObject { ["key"] = WrappedKey() });

    /// <summary>
    /// A grant from <paramref name="grantor"/> to <paramref name="grantee"/> moved to <paramref name="status"/> through
    /// the routes (on a server without mail, where inviting an existing account accepts it at once).
    /// </summary>
    public static async Task<string> GrantAsync(TestAccount grantor, TestAccount grantee, EmergencyAccessStatus status,
        EmergencyAccessType type = EmergencyAccessType.View, int waitTimeDays = 7)
    {
        var id = await grantor.InviteAsync(grantee.Email, (int)type, waitTimeDays);
        if (status >= EmergencyAccessStatus.Confirmed)
        {
            await grantor.ConfirmAsync(id);
        }

        if (status >= EmergencyAccessStatus.RecoveryInitiated)
        {
            await grantee.ExpectPostAsync(id, "initiate");
        }

        if (status >= EmergencyAccessStatus.RecoveryApproved)
        {
            await grantor.ExpectPostAsync(id, "approve");
        }

        return id;
    }

    /// <summary>The grant's status as its grantor reads it.</summary>
    public static async Task<EmergencyAccessStatus> StatusAsync(this TestAccount grantor, string id) =>
        (EmergencyAccessStatus)(int)(await grantor.GrantAsync(id))["status"]!;
}
