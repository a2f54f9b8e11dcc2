namespace Coffer.Protocol.Api;

/// <summary>Bitwarden's list envelope: <c>{"data":[…],"object":"list","continuationToken":null}</c> (protocol §6).</summary>
public sealed record ListResponseModel<T>
{
    public required IReadOnlyList<T> Data { get; init; }
    public string Object { get; init; } = "list";
    public string? ContinuationToken { get; init; }
}

/// <summary>
/// Bitwarden's error body (protocol §1.3, Vaultwarden's format): clients show <c>message</c>, or the first
/// <c>validationErrors</c> entry, or <c>ErrorModel.Message</c> on the token endpoint.
/// </summary>
public sealed record ErrorResponseModel
{
    public required string Message { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> ValidationErrors { get; init; }
    public required ErrorModel ErrorModel { get; init; }
    public string Error { get; init; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("error_description")]
    public string ErrorDescription { get; init; } = "";
    public string? ExceptionMessage { get; init; }
    public string? ExceptionStackTrace { get; init; }
    public string? InnerExceptionMessage { get; init; }
    public string Object { get; init; } = "error";

    public static ErrorResponseModel From(string message, string field = "") => new()
    {
        Message = message,
        ValidationErrors = new Dictionary<string, IReadOnlyList<string>> { [field] = [message] },
        ErrorModel = new ErrorModel { Message = message },
    };
}

public sealed record ErrorModel
{
    public required string Message { get; init; }
    public string Object { get; init; } = "error";
}
