using Microsoft.Extensions.FileProviders;

namespace Coffer.Server.Admin;

/// <summary>
/// The admin page at <c>/admin/</c>: static HTML, one script and one stylesheet from <c>wwwroot/admin</c>, no
/// inline code, so a strict content security policy applies. The page calls <c>/admin/api</c> with tokens
/// from the ordinary password grant.
/// </summary>
public static class AdminPage
{
    // 'self' only: no inline script or style, no third-party origin; the page calls only this server.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void UseAdminPage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var folder = Path.Combine(app.Environment.ContentRootPath, "wwwroot", "admin");
        var files = new PhysicalFileProvider(folder);

        // /admin redirects to /admin/, which serves index.html, so the page's relative URLs resolve one way.
        app.UseDefaultFiles(new DefaultFilesOptions { RequestPath = "/admin", FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = "/admin",
            FileProvider = files,
            OnPrepareResponse = context => context.Context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy,
        });
    }
}
