using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>Reads and forges compact JWTs the way an attacker (or the CLI, which never verifies) would.</summary>
public static class Jwt
{
    public static (JsonObject Header, JsonObject Payload, string Signature) Decode(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        var header = Assert.IsType<JsonObject>(JsonNode.Parse(Base64Url.DecodeFromChars(parts[0])));
        var payload = Assert.IsType<JsonObject>(JsonNode.Parse(Base64Url.DecodeFromChars(parts[1])));
        return (header, payload, parts[2]);
    }

    public static string Encode(JsonObject header, JsonObject payload, string signature) =>
        $"{Segment(header)}.{Segment(payload)}.{signature}";

    private static string Segment(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));
}
