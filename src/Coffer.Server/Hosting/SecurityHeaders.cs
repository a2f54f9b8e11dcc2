namespace Coffer.Server.Hosting;

/// <summary>
/// Headers every response carries: no MIME sniffing, no framing (clickjacking), no referrer leaking vault URLs,
/// and HSTS on HTTPS (RFC 6797). The full content security policy arrives with the web vault.
/// </summary>
public static class SecurityHeaders
{
    public static void UseSecurityHeaders(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
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
