using System.Text.Json;
using Coffer.Protocol.Api;

namespace Coffer.Bench;

/// <summary>
/// Which server a scenario loads: Coffer, the minimal Kestrel baseline serving the same bytes, or over HTTPS Coffer
/// and nginx serving the same bytes (<see cref="HttpsSync"/>).
/// </summary>
public enum Target
{
    Coffer,
    Baseline,
    CofferHttps,
    NginxHttps,
}

/// <summary>
/// One load scenario: a name, the server it loads and how to build each request. The targets are the
/// constants of <see cref="Scenarios"/>, judged in <see cref="Report"/>. Scenarios without a target are diagnostic;
/// they split the cost of a request into layers: hello (the machine) → alive (Coffer's pipeline) → config with a
/// token (plus JWT validation and the security-stamp query) → list and sync (plus the vault queries and JSON).
/// </summary>
public sealed record Scenario(string Name, Target Target, Func<HttpRequestMessage> Request);

public static class Scenarios
{
    public const string Hello = "hello";
    public const string Alive = "alive";
    public const string Config = "config+token";
    public const string List100 = "list-100";
    public const string Sync100 = "sync-100";
    public const string Sync3000 = "sync-3000";
    public const string Static3000 = "static-3000";
    public const string Create = "create";

    /// <summary>The targets at 8 connections on 2 cores.</summary>
    public const double CreateTarget = 2_700;
    public const double Sync100Target = 4_400;

    /// <summary>Sync of 3,000 items may take at most this many times as long as serving its bytes statically.</summary>
    public const double Sync3000MaxSlowdown = 2.0;

    // small holds 100 items (list, sync-100, config), large 3,000; items are created in writer so that the
    // read accounts never change size.
    public static IReadOnlyList<Scenario> All(VaultClient.Account small, VaultClient.Account large, VaultClient.Account writer)
    {
        // The create body is built once: the server validates and stores it as if new each time, and the load
        // generator spends its CPU on sending rather than encrypting (client and server share the 2 cores).
        var createBody = JsonSerializer.SerializeToUtf8Bytes(VaultClient.LoginItem(writer.UserKey, 0), CofferJson.Options);
        return
        [
            new(Hello, Target.Baseline, () => new(HttpMethod.Get, "/hello")),
            new(Alive, Target.Coffer, () => new(HttpMethod.Get, "/alive")),
            new(Config, Target.Coffer, () => Authorized(HttpMethod.Get, "/api/config", small)),
            new(List100, Target.Coffer, () => Authorized(HttpMethod.Get, "/api/ciphers", small)),
            new(Sync100, Target.Coffer, () => Authorized(HttpMethod.Get, "/api/sync?excludeDomains=true", small)),
            new(Sync3000, Target.Coffer, () => Authorized(HttpMethod.Get, "/api/sync?excludeDomains=true", large)),
            new(Static3000, Target.Baseline, () => new(HttpMethod.Get, "/static")),
            new(Create, Target.Coffer, () => CreateRequest(createBody, writer)),
        ];
    }

    internal static HttpRequestMessage Authorized(HttpMethod method, string path, VaultClient.Account account)
    {
        var request = new HttpRequestMessage(method, path);
        VaultClient.Authorize(request, account);
        return request;
    }

    internal static HttpRequestMessage CreateRequest(byte[] body, VaultClient.Account account)
    {
        var request = Authorized(HttpMethod.Post, "/api/ciphers", account);
        request.Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } };
        return request;
    }
}
