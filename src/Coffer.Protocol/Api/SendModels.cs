using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Protocol.Api;

/// <summary>
/// <c>POST /api/sends</c>, <c>POST /api/sends/file/v2</c> and <c>PUT /api/sends/{id}</c> body
/// (<c>bitwarden-sharing-features.md</c> §3.4–§3.6, upstream <c>SendRequestModel</c>). Every EncString is under the
/// Send key except <see cref="Key"/> (the seed under the user key). <see cref="Password"/> is the client's PBKDF2 hash
/// of the Send password (§3.3), absent when there is none. <see cref="MaxAccessCount"/> arrives as a number or a
/// numeric string.
/// </summary>
public record SendRequestModel
{
    public int? Type { get; init; }
    public int? AuthType { get; init; }

    /// <summary>Bytes of the encrypted file (file Sends on <c>file/v2</c> only).</summary>
    public long? FileLength { get; init; }

    public string? Name { get; init; }
    public string? Notes { get; init; }
    public string? Key { get; init; }

    [JsonConverter(typeof(NumberOrStringConverter))]
    public int? MaxAccessCount { get; init; }

    public DateTime? ExpirationDate { get; init; }
    public DateTime? DeletionDate { get; init; }
    public string? Password { get; init; }

    /// <summary>Comma-separated e-mail addresses for <c>authType</c> 0, which Coffer refuses.</summary>
    public string? Emails { get; init; }

    public bool? Disabled { get; init; }
    public bool? HideEmail { get; init; }
    public SendTextModel? Text { get; init; }
    public SendFileModel? File { get; init; }
}

/// <summary>A Send in <c>accountData.sends</c> of a key rotation: the request with the id of the Send it re-keys.</summary>
public sealed record SendWithIdRequestModel : SendRequestModel
{
    public Guid? Id { get; init; }
}

/// <summary>A text Send's content: the text (EncString under the Send key) and whether clients hide it until asked.</summary>
public sealed record SendTextModel
{
    public string? Text { get; init; }
    public bool Hidden { get; init; }
}

/// <summary>A file Send's file name (EncString under the Send key); the rest of the file object is the server's.</summary>
public sealed record SendFileModel
{
    public string? FileName { get; init; }
}

/// <summary>The legacy anonymous access body (§3.9): the client's Send password hash, or nothing.</summary>
public sealed record SendAccessRequestModel
{
    public string? Password { get; init; }
}

/// <summary>The <c>send_access</c> grant's success answer (§3.8): a Bearer token for <c>/api/sends/access</c>, seconds to live.</summary>
public sealed record SendAccessTokenResponseModel
{
    [JsonPropertyName("access_token")]
    public required string AccessToken { get; init; }

    [JsonPropertyName("expires_in")]
    public int ExpiresIn { get; init; }

    [JsonPropertyName("token_type")]
    public string TokenType { get; init; } = "Bearer";

    [JsonPropertyName("scope")]
    public string Scope { get; init; } = "api.send.access";
}

/// <summary><c>POST /api/sends/access/file/{fileId}</c> answer (§3.8 step 3): an absolute, self-authorizing download URL.</summary>
public sealed record SendFileDownloadDataResponseModel
{
    public required string Id { get; init; }
    public required string Url { get; init; }
    public string Object { get; init; } = "send-fileDownload";
}

/// <summary>Reads an <c>int?</c> written as a JSON number or as a string of decimal digits (Vaultwarden accepts both).</summary>
public sealed class NumberOrStringConverter : JsonConverter<int?>
{
    public override int? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number => reader.GetInt32(),
        JsonTokenType.String when reader.GetString() is { } text =>
            text.Length == 0 ? null
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
            : throw new JsonException("Expected a number."),
        _ => throw new JsonException("Expected a number."),
    };

    public override void Write(Utf8JsonWriter writer, int? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } number)
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
