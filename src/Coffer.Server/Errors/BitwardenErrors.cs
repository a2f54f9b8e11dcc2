using Coffer.Core.Api;
using Microsoft.AspNetCore.Diagnostics;

namespace Coffer.Server.Errors;

/// <summary>
/// Errors on the Bitwarden surface use Bitwarden's error JSON (protocol §1.3); Coffer's own routes use
/// RFC 9457 problem details. Expected failures are returned as results; only bugs are thrown.
/// Never use 403 on the Bitwarden surface: the CLI logs the user out on a 403.
/// </summary>
public static class BitwardenErrors
{
    public static IResult BadRequest(string message, string field = "") =>
        Results.Json(ErrorResponseModel.From(message, field), CofferJson.Options, statusCode: StatusCodes.Status400BadRequest);

    public static IResult NotFound(string message) =>
        Results.Json(ErrorResponseModel.From(message), CofferJson.Options, statusCode: StatusCodes.Status404NotFound);

    public static IResult Unauthorized(string message) =>
        Results.Json(ErrorResponseModel.From(message), CofferJson.Options, statusCode: StatusCodes.Status401Unauthorized);

    public static bool IsBitwardenPath(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/identity", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Turns binding failures (malformed JSON, wrong types, bad route values, oversized bodies) into a 4xx with a
    /// clear message in the right format, and any other exception into a 500 that reveals nothing.
    /// </summary>
    public static void UseCofferErrors(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Bad input is the client's fault, not a server error worth a stack trace in the log.
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            ExceptionHandler = async context =>
            {
                var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var (status, message) = exception switch
                {
                    BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "The request body is too large."),
                    BadHttpRequestException bad => (bad.StatusCode, Describe(bad)),
                    _ => (500, "An unexpected error occurred."),
                };
                context.Response.StatusCode = status;
                if (IsBitwardenPath(context.Request.Path))
                {
                    await context.Response.WriteAsJsonAsync(ErrorResponseModel.From(message), CofferJson.Options);
                }
                else
                {
                    await Results.Problem(detail: message, statusCode: status).ExecuteAsync(context);
                }
            },
        });
    }

    private static string Describe(BadHttpRequestException exception) => exception.InnerException switch
    {
        // JsonException messages name the path and position but never echo the value.
        System.Text.Json.JsonException json => "The request body is not valid JSON for this route: " + json.Message,
        _ => exception.Message,
    };

    /// <summary>Vaultwarden-style JSON 404 for unknown Bitwarden routes.</summary>
    public static void MapBitwardenFallbacks(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        foreach (var prefix in new[] { "/api", "/identity" })
        {
            app.MapFallback(prefix + "/{**path}", () => NotFound("This route does not exist.")).ExcludeFromDescription();
        }
    }
}
