using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Hosting;

/// <summary>
/// Behind a reverse proxy, every connection comes from the proxy: rate limits, lockout bookkeeping and the audit
/// log would all see one address, and HSTS would never be sent. <c>Coffer:TrustedProxies</c> lists the proxies
/// (addresses, or networks in CIDR form) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed.
/// Empty by default: nobody is trusted, not even loopback (ASP.NET Core's own default trusts loopback), so a
/// client cannot pick its own address by sending the header.
/// </summary>
public static class ReverseProxy
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ServerOptions>>((forwarded, server) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            // Walk X-Forwarded-For from the right while each hop is trusted; the first untrusted one is the client.
            forwarded.ForwardLimit = null;
            foreach (var entry in server.Value.TrustedProxies)
            {
                if (entry.Contains('/', StringComparison.Ordinal))
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
                }
                else
                {
                    forwarded.KnownProxies.Add(IPAddress.Parse(entry));
                }
            }
        });
        return services;
    }

    /// <summary>Applies forwarded headers when proxies are trusted; first in the pipeline, so everything after sees the client.</summary>
    public static void UseTrustedProxies(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<IOptions<ServerOptions>>().Value.TrustedProxies.Length > 0)
        {
            app.UseForwardedHeaders();
        }
    }

    /// <summary>True when <paramref name="entry"/> is an IP address or a CIDR network.</summary>
    internal static bool IsValidEntry(string entry) =>
        entry.Contains('/', StringComparison.Ordinal) ? System.Net.IPNetwork.TryParse(entry, out _) : IPAddress.TryParse(entry, out _);
}
