using System.Text.Json;

namespace Coffer.Client.Exchange;

/// <summary>Lenient reads of an export's JSON: a missing or mistyped property reads as absent, never as an error.</summary>
internal static class JsonFields
{
    private static readonly JsonElement EmptyArray = JsonDocument.Parse("[]").RootElement;

    public static JsonElement.ArrayEnumerator Array(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray() : EmptyArray.EnumerateArray();

    /// <summary>A string property; numbers and booleans as their JSON text (exports are not consistent about types).</summary>
    public static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
            _ => null,
        } : null;

    public static bool Bool(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    public static int? Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;
}
