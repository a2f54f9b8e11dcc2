using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>Reading responses the way the clients do.</summary>
public static class Json
{
    /// <summary>
    /// The CLI's <c>BaseResponse.getResponseProperty</c>: the exact name, then the first letter case-flipped, then
    /// all lowercase, then all uppercase. Used where the protocol allows either casing (the token response).
    /// </summary>
    public static JsonNode? Cli(this JsonNode? node, string name)
    {
        if (node is not JsonObject obj)
        {
            return null;
        }

        var flipped = char.IsUpper(name[0])
            ? char.ToLowerInvariant(name[0]) + name[1..]
            : char.ToUpperInvariant(name[0]) + name[1..];
        foreach (var candidate in new[] { name, flipped, name.ToLowerInvariant(), name.ToUpperInvariant() })
        {
            if (obj.TryGetPropertyValue(candidate, out var value))
            {
                return value;
            }
        }

        return null;
    }

    public static string RequireString(this JsonNode? node, string name)
    {
        var value = node?[name];
        Assert.True(value is JsonValue v && v.GetValueKind() == JsonValueKind.String, $"'{name}' is not a string in {node?.ToJsonString()}");
        return value!.GetValue<string>();
    }

    /// <summary>An ISO-8601 UTC timestamp ending in Z, as the protocol demands (§6).</summary>
    public static DateTimeOffset RequireUtcDate(this JsonNode? node, string name)
    {
        var text = node.RequireString(name);
        Assert.EndsWith("Z", text, StringComparison.Ordinal);
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    public static JsonArray RequireArray(this JsonNode? node, string name) =>
        Assert.IsType<JsonArray>(node?[name]);

    /// <summary>Finds an element of a JSON array by its <c>id</c>.</summary>
    public static JsonObject? ById(this JsonArray array, string id) =>
        array.OfType<JsonObject>().FirstOrDefault(item => string.Equals((string?)item["id"], id, StringComparison.OrdinalIgnoreCase));

    /// <summary>Structural equality of two JSON trees (property order ignored).</summary>
    public static bool DeepEquals(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    /// <summary>A copy of <paramref name="node"/> with every property named <c>response</c> removed (§4.10).</summary>
    public static JsonNode? WithoutResponseKeys(JsonNode? node)
    {
        var copy = node?.DeepClone();
        Strip(copy);
        return copy;

        static void Strip(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    o.Remove("response");
                    foreach (var child in o.Select(p => p.Value).ToList())
                    {
                        Strip(child);
                    }

                    break;
                case JsonArray a:
                    foreach (var child in a)
                    {
                        Strip(child);
                    }

                    break;
            }
        }
    }
}
