namespace Coffer.Server.Hosting;

/// <summary>
/// <c>Coffer:PublicUrl</c>: when set, every request is treated as addressed to it. The request's scheme, Host and
/// path base are replaced before anything reads them, so whatever builds an absolute URL from the request
/// (<c>/api/config</c>'s <c>environment</c>, the <c>/admin</c> → <c>/admin/</c> redirect of the static files
/// middleware, and anything added later) uses the configured address, never the Host header that whoever sends the
/// request chooses (a forged Host would otherwise point clients, or a cache in front, at another server).
/// Unset, requests keep their own (the scheme possibly set from a trusted proxy's <c>X-Forwarded-Proto</c>).
/// </summary>
public static class PublicUrl
{
    /// <summary>The address clients reach this server at, without a trailing slash: the configured one when set (see above).</summary>
    public static string Origin(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"{request.Scheme}://{request.Host}{request.PathBase}";
    }

    public static void UsePublicUrl(this WebApplication app, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        if (options.PublicUrl is not { } configured)
        {
            return;
        }

        // Validated at start (ServerOptionsValidator): absolute http/https, no query or fragment.
        var uri = new Uri(configured, UriKind.Absolute);
        // Authority leaves out a default port, as clients write the address.
        var host = HostString.FromUriComponent(uri.Authority);
        var pathBase = PathString.FromUriComponent(uri.AbsolutePath.TrimEnd('/'));
        app.Use((context, next) =>
        {
            var request = context.Request;
            request.Scheme = uri.Scheme;
            request.Host = host;
            // A proxy that strips a path prefix sets none itself; one that sets it knows better.
            if (!request.PathBase.HasValue)
            {
                request.PathBase = pathBase;
            }

            return next(context);
        });
    }
}
