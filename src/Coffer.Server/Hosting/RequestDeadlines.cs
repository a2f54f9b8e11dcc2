using Coffer.Server.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Hosting;

/// <summary>
/// Bounds on how long and how large a request's head and body may be, answered in the route family's error format
/// (Bitwarden's error JSON under /api and /identity, problem details elsewhere):
/// <list type="bullet">
/// <item>a whole-request deadline, <see cref="ServerOptions.RequestTimeoutSeconds"/>, after which a request still
/// reading its body (one that trickles in) or still being handled is ended with <b>408</b> (ASP.NET Core request
/// timeouts). Kestrel's minimum data rate (240 bytes/s) alone lets a 10 MB body at 1 KB/s hold a request open for
/// hours. The live-sync hubs are long-lived connections and have no deadline.</item>
/// <item>a request target over <see cref="MaxTargetBytes"/> is <b>414</b>, headers over <see cref="MaxHeaderBytes"/>
/// are <b>431</b>. Kestrel's own limits sit at twice these and answer without a body; below them the answer has one.</item>
/// </list>
/// </summary>
public static class RequestDeadlines
{
    public const int MaxTargetBytes = 8 * 1024;
    public const int MaxHeaderBytes = 32 * 1024;

    public static IServiceCollection AddRequestDeadlines(this IServiceCollection services)
    {
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<ServerOptions>>((timeouts, options) => timeouts.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds),
            TimeoutStatusCode = StatusCodes.Status408RequestTimeout,
            WriteTimeoutResponse = context => BitwardenErrors.WriteErrorAsync(context, "The request took too long. Send it again at a steady pace."),
        });
        return services;
    }

    /// <summary>The 414 and 431 checks; runs before routing so no route parses an oversized request.</summary>
    public static void UseRequestHeadLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var target = Math.Max(context.Features.Get<IHttpRequestFeature>()?.RawTarget?.Length ?? 0, request.PathBase.Value?.Length + request.Path.Value?.Length + request.QueryString.Value?.Length ?? 0);
            var (status, message) = target > MaxTargetBytes
                ? (StatusCodes.Status414UriTooLong, $"The request URL is longer than {MaxTargetBytes} bytes.")
                : HeaderBytes(request.Headers) > MaxHeaderBytes
                    ? (StatusCodes.Status431RequestHeaderFieldsTooLarge, $"The request headers are larger than {MaxHeaderBytes} bytes.")
                    : (0, "");
            if (status != 0)
            {
                context.Response.StatusCode = status;
                await BitwardenErrors.WriteErrorAsync(context, message);
                return;
            }

            await next(context);
        });
    }

    /// <summary>The deadline; after routing (it reads endpoint metadata), for everything but the hubs' connections.</summary>
    public static void UseRequestDeadline(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseWhen(
            context => !context.WebSockets.IsWebSocketRequest && !context.Request.Path.StartsWithSegments("/notifications", StringComparison.OrdinalIgnoreCase),
            branch => branch.UseRequestTimeouts());
    }

    private static long HeaderBytes(IHeaderDictionary headers)
    {
        long total = 0;
        foreach (var (name, values) in headers)
        {
            total += name.Length + 4;
            foreach (var value in values)
            {
                total += value?.Length ?? 0;
            }
        }

        return total;
    }
}
