using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Hosting;

/// <summary>Section <c>Coffer:Cors</c>.</summary>
public sealed class CorsSettings
{
    /// <summary>
    /// Exact origins allowed to call Coffer from a browser, e.g. <c>chrome-extension://nngceckbapebfimnlniiiahkandclblb</c>,
    /// <c>moz-extension://&lt;uuid&gt;</c> or <c>https://vault.example.com</c>. Empty by default.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>
/// CORS is closed by default: with no <c>Coffer:Cors:AllowedOrigins</c> the CORS middleware is not even in the
/// pipeline, so no response carries an <c>Access-Control-*</c> header and browsers keep other origins out.
/// Listed origins get ASP.NET Core's CORS with exactly those origins, any method and header (Bitwarden clients
/// send <c>Authorization</c>, <c>Device-Type</c>, <c>Bitwarden-Client-*</c>), and no credentials: Coffer's
/// sessions are bearer tokens, never cookies. Coffer's own web vault is same-origin and needs no entry.
/// </summary>
public static class Cors
{
    public static IServiceCollection AddCofferCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<ServerOptions>>((cors, server) =>
        {
            var origins = server.Value.Cors.AllowedOrigins;
            if (origins.Length > 0)
            {
                cors.AddDefaultPolicy(policy => policy.WithOrigins(origins).AllowAnyMethod().AllowAnyHeader()
                    .WithExposedHeaders("Retry-After").SetPreflightMaxAge(TimeSpan.FromMinutes(10)));
            }
        });
        return services;
    }

    /// <summary>Adds the CORS middleware only when origins are configured (after routing, before authentication).</summary>
    public static void UseCofferCors(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<IOptions<ServerOptions>>().Value.Cors.AllowedOrigins.Length > 0)
        {
            app.UseCors();
        }
    }

    /// <summary>An origin is a scheme and host (and port) with nothing after it; <c>*</c> is refused.</summary>
    internal static bool IsValidOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && !string.IsNullOrEmpty(uri.Host)
        && uri.AbsolutePath == "/" && !origin.EndsWith('/')
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo);
}
