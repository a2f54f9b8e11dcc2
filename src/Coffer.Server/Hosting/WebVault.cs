using Microsoft.Extensions.FileProviders;

namespace Coffer.Server.Hosting;

/// <summary>
/// The web vault (built from <c>web/</c> into <c>web-vault/</c> beside the binary, or <c>Coffer:WebVaultFolder</c>):
/// static files at <c>/</c>, and <c>index.html</c> for any other extension-less GET outside the server's own route
/// families, so a bookmarked app URL loads the app while an unknown API route keeps the API's 404. <c>/admin</c> and
/// <c>/admin/…</c> (but not <c>/admin/api</c>) are the web vault too: its admin screen, which reads the path.
/// </summary>
public static class WebVault
{
    /// <summary>
    /// The site-wide policy plus <c>'wasm-unsafe-eval'</c>, which compiling the Argon2id WebAssembly module needs
    /// (it allows <c>WebAssembly.instantiate</c>, not JavaScript <c>eval</c>); <c>object-src 'none'</c> because the
    /// vault embeds nothing. Still no inline script or style.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    // Route families the server owns: a miss under these is the API's 404, never the app.
    private static readonly string[] ServerPaths =
        ["/api", "/identity", "/notifications", "/docs", "/admin/api", "/alive", "/health", "/metrics", "/events", "/assets", "/attachments"];

    public static void UseWebVault(this WebApplication app, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        var folder = Path.GetFullPath(options.WebVaultFolder ?? Path.Combine(app.Environment.ContentRootPath, "web-vault"));
        var index = Path.Combine(folder, "index.html");
        if (!File.Exists(index))
        {
            app.Lifetime.ApplicationStarted.Register(() =>
                app.Logger.LogWarning("No web vault at {Folder}: build it with `npm ci && npm run build` in web/ (./run.sh does this).", folder));
            return;
        }

        var files = new PhysicalFileProvider(folder);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context => PrepareResponse(context.Context, isIndex: context.File.Name == "index.html"),
        });
        app.Use(async (context, next) =>
        {
            if (!IsAppRoute(context.Request))
            {
                await next(context);
                return;
            }

            PrepareResponse(context, isIndex: true);
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.SendFileAsync(files.GetFileInfo("index.html"), context.RequestAborted);
        });
    }

    private static bool IsAppRoute(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && !Path.HasExtension(request.Path.Value)
        && !ServerPaths.Any(prefix => request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));

    private static void PrepareResponse(HttpContext context, bool isIndex)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        // index.html names the current bundles, so it is revalidated every time; the bundles' names carry a hash
        // of their content, so a name never changes meaning and they may be kept for a year.
        headers.CacheControl = isIndex ? "no-cache" : "public, max-age=31536000, immutable";
    }
}
