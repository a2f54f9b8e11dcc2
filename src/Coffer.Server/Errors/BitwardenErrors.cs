using Coffer.Protocol.Api;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

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

    /// <summary>The Bitwarden surface: /api, /identity, and the live-sync hubs under /notifications that sit beside them.</summary>
    public static bool IsBitwardenPath(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/identity", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/notifications", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Writes <paramref name="message"/> with the response's status code in the route family's format: Bitwarden's
    /// error JSON under /api, /identity and /notifications, RFC 9457 problem details elsewhere. For middleware that answers itself.
    /// </summary>
    public static Task WriteErrorAsync(HttpContext context, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        return IsBitwardenPath(context.Request.Path)
            ? context.Response.WriteAsJsonAsync(ErrorResponseModel.From(message), CofferJson.Options)
            : Results.Problem(detail: message, statusCode: context.Response.StatusCode).ExecuteAsync(context);
    }

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
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException or DbUpdateConcurrencyException,
            StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                DbUpdateConcurrencyException => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status500InternalServerError,
            },
            ExceptionHandler = async context =>
            {
                var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var (status, message) = exception switch
                {
                    BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "The request body is too large."),
                    BadHttpRequestException bad => (bad.StatusCode, Describe(bad)),
                    // Another request changed the same item between this one's read and its write (Ciphers/Cipher.Revise).
                    DbUpdateConcurrencyException => (400, "The item was changed on another device at the same time. Sync and try again."),
                    _ => (500, "An unexpected error occurred."),
                };
                context.Response.StatusCode = status;
                await WriteErrorAsync(context, message);
            },
        });
    }

    // Framework messages speak to the developer ("Did you mean to use a Service?") and name internal types
    // ("could not be converted to Coffer.Protocol.Api.CipherRequestModel"); these speak to the caller, naming at most
    // the JSON path of the offending field.
    private static string Describe(BadHttpRequestException exception) => exception switch
    {
        { InnerException: System.Text.Json.JsonException { Path: { Length: > 1 and <= 200 } path } } =>
            $"The request body is not valid JSON for this route: the value at {path} is missing, malformed or of the wrong type.",
        { InnerException: System.Text.Json.JsonException } =>
            "The request body is not valid JSON for this route.",
        _ when exception.Message.Contains("no body was provided", StringComparison.Ordinal)
            || exception.Message.StartsWith("Required parameter", StringComparison.Ordinal) =>
            "A JSON request body is required.",
        _ when exception.Message.StartsWith("Failed to bind parameter", StringComparison.Ordinal) =>
            "A value in the route or query string is not valid (ids are GUIDs).",
        { StatusCode: StatusCodes.Status415UnsupportedMediaType } => UnsupportedMediaType,
        _ => "The request is not valid.",
    };

    private const string UnsupportedMediaType = "The request body must be JSON (Content-Type: application/json).";

    /// <summary>
    /// Gives bodiless error statuses (unknown route 404, 405, 415 for a missing JSON content type) a body in the
    /// route family's format: Bitwarden's error JSON under /api and /identity, problem details elsewhere.
    /// </summary>
    public static void UseCofferStatusPages(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var message = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => "This route does not exist.",
                StatusCodes.Status405MethodNotAllowed => "This method is not allowed on this route.",
                StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
                StatusCodes.Status414UriTooLong => "The request URL is too long.",
                StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
                StatusCodes.Status431RequestHeaderFieldsTooLarge => "The request headers are too large.",
                _ => ReasonPhrases.GetReasonPhrase(http.Response.StatusCode),
            };
            await WriteErrorAsync(http, message);
        });
    }
}
