using Coffer.Server.Admin;
using Coffer.Server.Data;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Hosting;

/// <summary>
/// <c>GET /api/config</c> (protocol §4.1), with or without a token. <c>featureStates</c> stays empty: every flag
/// selects an untested client code path, and absent flags default to off. The URLs are built from the request's
/// scheme, Host and path base, which <c>Coffer:PublicUrl</c>, when set, has replaced (Hosting/PublicUrl.cs).
/// </summary>
public static class ConfigEndpoints
{
    public static RouteHandlerBuilder MapServerConfig(this IEndpointRouteBuilder api) =>
        api.MapGet("/config", async (HttpRequest request, CofferDb db, IOptions<ServerOptions> options) =>
        {
            var registrationClosed = await db.GetRegistrationModeAsync(options.Value, request.HttpContext.RequestAborted) == RegistrationModes.Closed;
            var origin = PublicUrl.Origin(request);
            return Results.Json(new
            {
                version = "2026.6.0",
                gitHash = (string?)null,
                server = new { name = "Coffer", url = origin },
                settings = new { disableUserRegistration = registrationClosed, suppressOnboardingInterstitials = false },
                environment = new
                {
                    vault = origin,
                    api = origin + "/api",
                    identity = origin + "/identity",
                    notifications = origin + "/notifications",
                    sso = "",
                    cloudRegion = (string?)null,
                },
                push = new { pushTechnology = 0, vapidPublicKey = (string?)null },
                featureStates = new Dictionary<string, bool>(),
                communication = (object?)null,
                @object = "config",
            });
        }).WithTags("Server").WithSummary("Server configuration for clients");
}
