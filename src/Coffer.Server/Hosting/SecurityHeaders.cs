namespace Coffer.Server.Hosting;

/// <summary>
/// Headers every response carries: no MIME sniffing, no framing (clickjacking), no referrer leaking vault URLs,
/// HSTS on HTTPS (RFC 6797), a content security policy, a permissions policy and cross-origin isolation.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// Only Coffer's own files may run, style or be fetched; no inline script or style anywhere, so an injected
    /// <c>&lt;script&gt;</c> or <c>onerror=</c> does nothing. The Swagger UI at <c>/docs</c> fits this as is:
    /// Swashbuckle 11's page (Swagger UI 5.34) loads only external scripts and stylesheets and draws its icons from
    /// <c>data:</c> images, so it needs neither a nonce nor <c>unsafe-inline</c> (HealthAndDocs and SecurityHeader
    /// tests check the page). <c>frame-ancestors</c> repeats X-Frame-Options for browsers that read only CSP.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <summary>A password manager needs none of these browser features.</summary>
    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
        + "microphone=(), payment=(), usb=()";

    public static void UseSecurityHeaders(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Permissions-Policy"] = PermissionsPolicy;
            // No window of another origin keeps a handle on ours, and no other origin may embed our responses as
            // images or scripts. CORP binds only no-cors loads; CORS fetches allowed by Coffer:Cors still work.
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000";
            }

            if (!context.Request.Path.StartsWithSegments("/docs", StringComparison.Ordinal))
            {
                // API answers hold vault data: never cache them anywhere.
                headers.CacheControl = "no-store";
            }

            await next(context);
        });
    }
}
