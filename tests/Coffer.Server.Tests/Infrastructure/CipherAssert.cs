using System.Globalization;
using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>Assertions shared by the cipher test classes.</summary>
public static class CipherAssert
{
    /// <summary>§4.11: the fields without which the CLI refuses to edit, delete or restore.</summary>
    public static void IsEditableDetails(JsonObject cipher, TimeProvider clock)
    {
        Assert.True(Guid.TryParse(cipher.RequireString("id"), out _));
        Assert.Equal(true, (bool?)cipher["edit"]);
        Assert.Equal(true, (bool?)cipher["permissions"]?["delete"]);
        Assert.Equal(true, (bool?)cipher["permissions"]?["restore"]);
        var now = clock.GetUtcNow();
        Assert.InRange(cipher.RequireUtcDate("creationDate"), now.AddMinutes(-5), now.AddMinutes(1));
        Assert.InRange(cipher.RequireUtcDate("revisionDate"), now.AddMinutes(-5), now.AddMinutes(1));
        Assert.True(cipher.ContainsKey("deletedDate"), "deletedDate must be present (null when not in trash)");
        if (cipher["deletedDate"] is not null)
        {
            cipher.RequireUtcDate("deletedDate");
        }
    }

    /// <summary>Every property the client sent comes back with the same value (the server may add keys such as <c>uri</c>).</summary>
    public static void ContainsAll(JsonNode? sent, JsonNode? received)
    {
        switch (sent)
        {
            case JsonObject o:
                var r = Assert.IsType<JsonObject>(received);
                foreach (var (key, value) in o)
                {
                    Assert.True(r.ContainsKey(key), $"'{key}' missing from {r.ToJsonString()}");
                    ContainsAll(value, r[key]);
                }

                break;
            case JsonArray a:
                var ra = Assert.IsType<JsonArray>(received);
                Assert.Equal(a.Count, ra.Count);
                for (var i = 0; i < a.Count; i++)
                {
                    ContainsAll(a[i], ra[i]);
                }

                break;
            default:
                Assert.True(JsonNode.DeepEquals(sent, received), $"{sent?.ToJsonString() ?? "null"} != {received?.ToJsonString() ?? "null"}");
                break;
        }
    }

    public static void SameInstant(string? expected, string? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(Parse(expected), Parse(actual));
    }

    public static string Shift(string isoDate, TimeSpan by) =>
        Parse(isoDate).Add(by).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    public static string TruncateToSeconds(string isoDate) =>
        Parse(isoDate).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>Sets a value at a dotted path such as <c>login.uris.0.uri</c>.</summary>
    public static void Set(JsonObject root, string path, string? value)
    {
        var parts = path.Split('.');
        JsonNode node = root;
        foreach (var part in parts[..^1])
        {
            node = (int.TryParse(part, out var index) ? node[index] : node[part])!;
        }

        node[parts[^1]] = value;
    }

    private static DateTimeOffset Parse(string isoDate) =>
        DateTimeOffset.Parse(isoDate, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();
}
