using System.Text.Json;

namespace Coffer.E2E.Tests.Harness;

/// <summary>The objects `bw create|edit` take (shaped like `bw get template item`) and readers for what bw prints.</summary>
public static class BwJson
{
    public static object Folder(string name) => new { name };

    public static object LoginItem(string name, string username, string password, string uri, string notes, string? folderId) => new
    {
        organizationId = (string?)null,
        collectionIds = (string[]?)null,
        folderId,
        type = 1,
        name,
        notes,
        favorite = false,
        fields = Array.Empty<object>(),
        login = new
        {
            uris = new[] { new { match = (int?)null, uri } },
            username,
            password,
            totp = (string?)null,
        },
        secureNote = (object?)null,
        card = (object?)null,
        identity = (object?)null,
        reprompt = 0,
    };

    public static string? Text(this JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.Null ? null : element.ToString();
    }

    public static string Id(this JsonElement element) =>
        element.Text("id") ?? throw new InvalidOperationException($"No id in {element}");

    public static string? FirstUri(this JsonElement item) =>
        item.TryGetProperty("login", out var login) && login.ValueKind == JsonValueKind.Object
            && login.TryGetProperty("uris", out var uris) && uris.ValueKind == JsonValueKind.Array && uris.GetArrayLength() > 0
            ? uris[0].Text("uri")
            : null;

    public static JsonElement[] Items(this JsonElement array) => [.. array.EnumerateArray()];

    /// <summary>Real folders only: `bw list folders` always adds a pseudo folder "No Folder" with an empty id.</summary>
    public static JsonElement[] RealFolders(this JsonElement array) => [.. array.EnumerateArray().Where(f => f.Text("id") is { Length: > 0 })];
}
