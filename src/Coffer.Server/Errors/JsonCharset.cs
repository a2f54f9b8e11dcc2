using Microsoft.Net.Http.Headers;

namespace Coffer.Server.Errors;

/// <summary>
/// JSON request bodies are UTF-8 (RFC 8259 §8.1), and every client sends them so. A JSON content type naming
/// another charset, known to .NET or not, is answered <b>415</b> in the route family's error format before
/// anything reads the body; model binding would otherwise fail on an unknown charset with a server error.
/// </summary>
public static class JsonCharset
{
    public const string Message = "JSON request bodies must be UTF-8 (Content-Type: application/json; charset=utf-8).";

    public static void UseUtf8Json(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            if (NamesAnotherCharset(context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
                await BitwardenErrors.WriteErrorAsync(context, Message);
                return;
            }

            await next(context);
        });
    }

    private static bool NamesAnotherCharset(HttpRequest request)
    {
        if (!request.HasJsonContentType() || !MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
        {
            return false;
        }

        // Compared as sent: ASP.NET Core's JSON reader does not unquote a quoted charset either, and fails on it.
        var charset = type.Charset;
        return charset.HasValue
            && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }
}
