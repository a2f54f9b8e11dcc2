using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Protocol.Api;

/// <summary>
/// The JSON conventions of the Bitwarden client surface (protocol doc §6): camelCase names on output,
/// case-insensitive names on input, enums as numbers, every key emitted (null rather than absent).
/// </summary>
public static class CofferJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Applies the conventions to an options instance (ASP.NET Core's own, for example).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowTrailingCommas = false;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions();
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
