using System.Net;
using System.Text.Json;

namespace Coffer.Client;

/// <summary>
/// A non-success answer from the server, carrying the server's own message. <see cref="Error"/> is the OAuth
/// <c>error</c> code on token endpoint failures (<c>invalid_grant</c> means the refresh token is dead).
/// </summary>
public sealed class CofferApiException : Exception
{
    public CofferApiException()
    {
    }

    public CofferApiException(string message)
        : base(message)
    {
    }

    public CofferApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CofferApiException(HttpStatusCode statusCode, string message, string? error = null)
        : base(message)
    {
        StatusCode = statusCode;
        Error = error;
    }

    public HttpStatusCode? StatusCode { get; }

    public string? Error { get; }

    /// <summary>
    /// Reads the message the way the Bitwarden clients do (protocol §1.3): <c>ErrorModel.Message</c>, then
    /// <c>message</c>, then the first <c>validationErrors</c> entry, then OAuth's <c>error_description</c> and
    /// <c>error</c>, then problem details' <c>detail</c>/<c>title</c>; names are matched case-insensitively.
    /// </summary>
    public static CofferApiException FromResponse(HttpStatusCode status, string body)
    {
        string? message = null;
        string? error = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                var root = doc.RootElement;
                error = StringProperty(root, "error");
                message = (Property(root, "errorModel") is { ValueKind: JsonValueKind.Object } errorModel ? StringProperty(errorModel, "message") : null)
                    ?? StringProperty(root, "message")
                    ?? FirstValidationError(root)
                    ?? StringProperty(root, "error_description")
                    ?? StringProperty(root, "detail")
                    ?? StringProperty(root, "title")
                    ?? error;
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, say): fall back to the status line below.
        }

        return new CofferApiException(status, message ?? $"The server answered {(int)status} {status}.", error);
    }

    private static string? FirstValidationError(JsonElement root)
    {
        if (Property(root, "validationErrors") is not { ValueKind: JsonValueKind.Object } errors)
        {
            return null;
        }

        foreach (var entry in errors.EnumerateObject())
        {
            if (entry.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in entry.Value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } text)
                    {
                        return text;
                    }
                }
            }
        }

        return null;
    }

    private static string? StringProperty(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value && value.GetString() is { Length: > 0 } text ? text : null;

    internal static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
