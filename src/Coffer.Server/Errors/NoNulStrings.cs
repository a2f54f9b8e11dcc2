using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Server.Errors;

/// <summary>
/// Refuses U+0000 in any string of a JSON request body (a 400 through model binding). No client sends it, and
/// PostgreSQL's <c>text</c> cannot store it: it would fail the query with a server error instead.
/// </summary>
public sealed class NoNulStrings : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        return value is not null && value.Contains('\0', StringComparison.Ordinal)
            ? throw new JsonException("A string holds a NUL character.")
            : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
