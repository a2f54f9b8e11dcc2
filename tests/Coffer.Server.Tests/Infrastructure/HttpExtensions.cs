using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>Raw JSON over HTTP, so the tests see exactly the bytes a client would.</summary>
public static class HttpExtensions
{
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, JsonNode? body) =>
        client.SendJsonAsync(HttpMethod.Post, url, body);

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, JsonNode? body) =>
        client.SendJsonAsync(HttpMethod.Put, url, body);

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string url, JsonNode? body) =>
        client.SendRawAsync(method, url, body?.ToJsonString() ?? "null");

    /// <summary>Sends <paramref name="json"/> verbatim with the CLI's content type.</summary>
    public static async Task<HttpResponseMessage> SendRawAsync(this HttpClient client, HttpMethod method, string url, string json)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await client.SendAsync(request);
    }

    /// <summary>A request with no body at all (the CLI's soft delete and restore).</summary>
    public static async Task<HttpResponseMessage> SendEmptyAsync(this HttpClient client, HttpMethod method, string url)
    {
        using var request = new HttpRequestMessage(method, url);
        return await client.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        using var content = new FormUrlEncodedContent(form);
        return await client.PostAsync(url, content);
    }

    public static async Task<JsonNode?> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            AssertNoDuplicateKeys(text);
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            Assert.Fail($"Expected JSON from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} but got {(int)response.StatusCode}: {Shorten(text)}");
            throw;
        }
    }

    /// <summary>Asserts the status and returns the parsed JSON body; the failure message carries the server's answer.</summary>
    public static async Task<JsonNode?> ExpectJsonAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        await response.ExpectStatusAsync(expected);
        AssertJsonContentType(response);
        return await response.ReadJsonAsync();
    }

    /// <summary>Like <see cref="ExpectJsonAsync"/> for bodies that must be a JSON object.</summary>
    public static async Task<JsonObject> ExpectObjectAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var json = await response.ExpectJsonAsync(expected);
        return Assert.IsType<JsonObject>(json);
    }

    public static async Task ExpectStatusAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected} {expected} but got {(int)response.StatusCode} {response.StatusCode}: {Shorten(body)}");
        }
    }

    /// <summary>Any 2xx: the CLI ignores the body of delete, import and user-key-id calls.</summary>
    public static async Task ExpectSuccessAsync(this HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected 2xx but got {(int)response.StatusCode} {response.StatusCode}: {Shorten(body)}");
        }
    }

    /// <summary>
    /// Asserts Bitwarden's error JSON (protocol doc §1.3): <c>message</c>, <c>validationErrors</c>,
    /// <c>errorModel.message</c>, <c>object: "error"</c>.
    /// </summary>
    public static async Task<JsonObject> ExpectBitwardenErrorAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var error = await response.ExpectObjectAsync(expected);
        Assert.True(error["message"] is JsonValue message && message.GetValueKind() == JsonValueKind.String, $"error without a string message: {error.ToJsonString()}");
        Assert.True(error["validationErrors"] is JsonObject or null && error.ContainsKey("validationErrors"), $"error without validationErrors: {error.ToJsonString()}");
        var errorModel = Assert.IsType<JsonObject>(error["errorModel"]);
        Assert.Equal(JsonValueKind.String, errorModel["message"]?.GetValueKind());
        Assert.Equal("error", (string?)error["object"]);
        return error;
    }

    public static void AssertJsonContentType(HttpResponseMessage response)
    {
        MediaTypeHeaderValue? contentType = response.Content.Headers.ContentType;
        Assert.True(
            contentType?.MediaType is "application/json" or "application/problem+json",
            $"{response.RequestMessage?.RequestUri}: expected a JSON content type but got '{contentType}'");
    }

    /// <summary>
    /// JavaScript's JSON.parse keeps the last of two equal keys, so a duplicate would silently override what the
    /// server meant to say (responses spliced from stored JSON are where this could happen).
    /// </summary>
    public static void AssertNoDuplicateKeys(string json)
    {
        using var document = JsonDocument.Parse(json);
        Check(document.RootElement);

        static void Check(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var property in element.EnumerateObject())
                    {
                        Assert.True(seen.Add(property.Name), $"duplicate key '{property.Name}' in {Shorten(element.GetRawText())}");
                        Check(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Check(item);
                    }

                    break;
            }
        }
    }

    public static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + "…";
}
