using Coffer.Protocol.Crypto;
using Coffer.Server.Ciphers;
using Coffer.Server.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Hosting;

/// <summary>
/// Listening and request limits. With no <c>--urls</c>, <c>ASPNETCORE_URLS</c> or <c>Kestrel:Endpoints</c>, Coffer
/// listens on loopback only: HTTP on 8080 (browsers, <c>coffer</c>) and HTTPS on 8443 (<c>bw</c> refuses plain
/// HTTP, protocol §7.2). HTTPS uses <c>Kestrel:Certificates:Default</c> when configured, else the generated
/// self-signed certificate of <see cref="TlsCertificate"/>.
/// </summary>
public static class Kestrel
{
    public const int DefaultHttpPort = 8080;
    public const int DefaultHttpsPort = 8443;

    public static void ConfigureCofferKestrel(this WebApplicationBuilder builder, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var config = builder.Configuration;
        var urls = config["urls"];
        var explicitEndpoints = !string.IsNullOrEmpty(urls) || config.GetSection("Kestrel:Endpoints").Exists();
        var needsGeneratedCertificate = string.IsNullOrEmpty(config["Kestrel:Certificates:Default:Path"])
            && (!explicitEndpoints || urls?.Contains("https://", StringComparison.OrdinalIgnoreCase) == true);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The largest body any route accepts; each request is then held to its route's own limit.
            kestrel.Limits.MaxRequestBodySize = options.MaxImportBytes;
            // Twice the limits RequestDeadlines enforces, so most oversized requests reach it and get an error body.
            kestrel.Limits.MaxRequestLineSize = 2 * RequestDeadlines.MaxTargetBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 2 * RequestDeadlines.MaxHeaderBytes;
            if (needsGeneratedCertificate)
            {
                var certificate = TlsCertificate.LoadOrCreate(options.DataFolder, TimeProvider.System);
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }

            if (!explicitEndpoints)
            {
                kestrel.ListenLocalhost(DefaultHttpPort);
                kestrel.ListenLocalhost(DefaultHttpsPort, listen => listen.UseHttps());
            }
        });
    }

    /// <summary>Holds each request to its route's body limit: <see cref="ServerOptions.MaxRequestBytes"/>, <see cref="ServerOptions.MaxImportBytes"/> for import, or a route's <see cref="RequestBodyLimit"/>.</summary>
    public static void UseRequestBodyLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        app.Use(async (context, next) =>
        {
            var limit = context.GetEndpoint()?.Metadata.GetMetadata<ImportSizeLimit>() is null ? options.MaxRequestBytes : options.MaxImportBytes;
            limit = context.GetEndpoint()?.Metadata.GetMetadata<RequestBodyLimit>()?.MaxRequestBodySize ?? limit;
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }

            if (context.Request.ContentLength > limit)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await BitwardenErrors.WriteErrorAsync(context, "The request body is too large.");
                return;
            }

            await next(context);
        });
    }

    public static void LogListening(this WebApplication app, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var certificate = TlsCertificate.CertificatePath(options.DataFolder);
            app.Logger.LogInformation("Coffer data folder: {DataFolder}", Path.GetFullPath(options.DataFolder));
            if (Argon2.Implementation == Argon2Implementation.Managed)
            {
                // Said once, at start: the managed fallback gives the same hashes but is several times slower.
                app.Logger.LogWarning("libargon2.so.1 not found: Argon2id runs on the managed fallback (Konscious.Security.Cryptography.Argon2). Install libargon2-1 for the fast path.");
            }

            if (File.Exists(certificate) && string.IsNullOrEmpty(app.Configuration["Kestrel:Certificates:Default:Path"]))
            {
                app.Logger.LogInformation("Self-signed TLS certificate: {Certificate}. For the Bitwarden CLI: export NODE_EXTRA_CA_CERTS={Certificate}", certificate, certificate);
            }
        });
    }
}
