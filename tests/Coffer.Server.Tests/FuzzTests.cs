using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Coffer.Server.Tests;

/// <summary>
/// Bad input is never a server error. A seeded, schema-driven generator over the served OpenAPI document sends every
/// operation valid-ish, truncated, mistyped, oversized, mis-encoded and mislabelled bodies, other accounts' and
/// invalid ids, and odd query values; plus the identity forms and the hub routes. Any 5xx, or any error the server
/// logs with an exception, fails the run and names the seed: <c>COFFER_FUZZ_SEED=&lt;seed&gt;</c> replays it
/// (<c>COFFER_FUZZ_COUNT</c> changes the request count).
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Methods = ["get", "post", "put", "delete", "patch"];

    [Fact]
    public async Task EveryRoute_UnderFuzzedInput_NeverAnswers5xxNorLogsAnUnhandledException()
    {
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("COFFER_FUZZ_SEED"), CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed
            : BitConverter.ToUInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var count = int.TryParse(Environment.GetEnvironmentVariable("COFFER_FUZZ_COUNT"), CultureInfo.InvariantCulture, out var fixedCount)
            ? fixedCount
            : TestDatabase.IsShared ? 3_000 : 20_000;
        output.WriteLine($"COFFER_FUZZ_SEED={seed} COFFER_FUZZ_COUNT={count}");

        var log = new CapturedErrors();
        await using var factory = new CofferFactory();
        // The fuzz sends wrong passwords for its own account: it must reach the handlers, not lock itself out.
        factory.Settings["Coffer:RateLimits:LockoutFailures"] = "1000";
        factory.Settings["Coffer:RateLimits:LockoutWindowMinutes"] = "1";

        factory.Settings["Coffer:Notifications:MaxAnonymousConnectionsPerAddress"] = "1000";
        factory.ExtraServices = services => services.AddSingleton<ILoggerProvider>(log);
        var owner = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var ids = new Ids(
            Own: [(await owner.CreateFolderAsync()).RequireString("id"), (await owner.CreateCipherAsync()).RequireString("id"), owner.UserId],
            Foreign: [(await other.CreateFolderAsync()).RequireString("id"), (await other.CreateCipherAsync()).RequireString("id"), other.UserId]);
        using var docs = await owner.Client.GetAsync("/docs/v1/openapi.json");
        var document = await docs.ExpectObjectAsync();
        var operations = Operations(document).ToList();
        Assert.True(operations.Count > 40, $"only {operations.Count} operations in the OpenAPI document");

        // Every request is drawn from the seed up front, so a replay sends the same requests whatever the timing.
        var random = new SplitMix64(seed);
        var requests = Enumerable.Range(0, count).Select(_ => Draw(random, operations, document, ids, owner)).ToList();
        var failures = new ConcurrentQueue<string>();
        var token = owner.AccessToken;
        using var client = factory.CreateClient();
        for (var start = 0; start < requests.Count; start += 500)
        {
            await Parallel.ForEachAsync(requests.Skip(start).Take(500), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (fuzz, ct) =>
            {
                using var message = fuzz.ToMessage(fuzz.Authorized ? token : null);
                using var response = await client.SendAsync(message, ct);
                if ((int)response.StatusCode >= 500)
                {
                    failures.Enqueue($"{(int)response.StatusCode} {fuzz}: {HttpExtensions.Shorten(await response.Content.ReadAsStringAsync(ct))}");
                }
            });

            // A fuzzed request may end the owner's session (a device deactivated); sign in again and go on.
            using var check = new HttpRequestMessage(HttpMethod.Get, "/api/accounts/revision-date");
            check.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var alive = await client.SendAsync(check);
            if (alive.StatusCode == HttpStatusCode.Unauthorized)
            {
                token = (await IdentityApi.LoginAsync(client, owner.Credentials, owner.DeviceIdentifier)).RequireString("access_token");
            }
        }

        var errors = log.Errors.ToList();
        Assert.True(failures.IsEmpty && errors.Count == 0, $"seed {seed}: {failures.Count} server errors, {errors.Count} logged exceptions\n"
            + string.Join("\n", failures.Take(20).Concat(errors.Take(10))));
    }

    private sealed record Ids(string[] Own, string[] Foreign);

    private sealed record Operation(string Method, string Path, JsonObject Spec);

    private static IEnumerable<Operation> Operations(JsonObject document)
    {
        foreach (var (path, item) in Assert.IsType<JsonObject>(document["paths"]))
        {
            foreach (var method in Methods)
            {
                if (item?[method] is JsonObject spec)
                {
                    yield return new Operation(method.ToUpperInvariant(), path, spec);
                }
            }
        }

        // The identity and hub routes, whatever the document says of them.
        yield return new Operation("POST", "/identity/connect/token", new JsonObject { ["x-form"] = true });
        yield return new Operation("POST", "/identity/accounts/prelogin", new JsonObject());
        foreach (var hub in new[] { "/notifications/hub", "/notifications/anonymous-hub", "/notifications/hub/negotiate", "/notifications/anonymous-hub/negotiate" })
        {
            yield return new Operation("GET", hub, new JsonObject());
            yield return new Operation("POST", hub, new JsonObject());
        }
    }

    private static FuzzRequest Draw(SplitMix64 random, List<Operation> operations, JsonObject document, Ids ids, TestAccount owner)
    {
        var operation = operations[random.Next(operations.Count)];
        var path = PathWithIds(random, operation.Path, ids);
        var query = Query(random, operation.Spec);
        var method = random.Next(40) == 0 ? random.Pick(["TRACE", "PATCH", "OPTIONS", "HEAD", "PUT", "DELETE"]) : operation.Method;
        var authorized = random.Next(10) != 0;
        if (operation.Spec["x-form"] is not null)
        {
            var (formBody, formType) = TokenForm(random, owner);
            return new FuzzRequest(method, path + query, formBody, formType, authorized);
        }

        var schema = operation.Spec["requestBody"]?["content"]?["application/json"]?["schema"];
        var (body, contentType) = Body(random, schema, document, owner);
        return new FuzzRequest(method, path + query, body, contentType, authorized);
    }

    private static string PathWithIds(SplitMix64 random, string template, Ids ids)
    {
        var path = new StringBuilder();
        foreach (var segment in template.Split('/'))
        {
            path.Append(segment.StartsWith('{') ? Uri.EscapeDataString(random.Next(8) switch
            {
                0 or 1 => random.Pick(ids.Own),
                2 or 3 => random.Pick(ids.Foreign),
                4 => Guid.NewGuid().ToString(),
                5 => random.Pick(["not-a-guid", "00000000-0000-0000-0000-000000000000", "", "..", "%00", "1", "-1", "' OR 1=1 --"]),
                6 => new string('a', random.Next(3000)),
                _ => random.Pick(ids.Own).ToUpperInvariant(),
            }) : segment).Append('/');
        }

        return path.ToString().TrimEnd('/') is { Length: > 0 } result ? result : "/";
    }

    private static string Query(SplitMix64 random, JsonObject spec)
    {
        var names = (spec["parameters"] as JsonArray ?? []).Where(p => (string?)p?["in"] == "query").Select(p => (string)p!["name"]!).ToList();
        if (random.Next(4) == 0)
        {
            names.Add(random.Pick(["start", "end", "continuationToken", "excludeDomains", "id", "x"]));
        }

        var parts = names.Where(_ => random.Next(2) == 0).Select(name => name + "=" + Uri.EscapeDataString(random.Pick([
            "0001-01-01T00:00:00", "9999-12-31T23:59:59", "2026-11-21T00:00:00.000Z", "-1", "0", "99999999999999999999", "true", "yes",
            "", "%00", "\u0000", "\ud800", "not a date", new string('9', 500), Guid.NewGuid().ToString(), "1e308", "NaN",
        ])));
        var query = string.Join('&', parts);
        return query.Length == 0 ? "" : "?" + query;
    }

    private static (byte[]? Body, string? ContentType) TokenForm(SplitMix64 random, TestAccount owner)
    {
        var fields = new List<string>();
        foreach (var (name, value) in new[]
        {
            ("grant_type", random.Pick(["password", "refresh_token", "client_credentials", "", "pass%00word"])), ("username", random.Pick([owner.Email, "a%00b", "", "x@example.com"])),
            ("password", random.Pick(["x", "", new string('p', 5000)])), ("scope", "api offline_access"), ("client_id", random.Pick(["cli", "web", ""])),
            ("deviceType", random.Pick(["8", "-1", "x", "99999999999"])), ("deviceIdentifier", Guid.NewGuid().ToString()), ("deviceName", "fuzz"),
            ("refresh_token", random.Pick(["x", "", "%ff%fe"])), ("twoFactorToken", random.Pick(["", "123456"])), ("twoFactorProvider", random.Pick(["0", "x"])),
        })
        {
            if (random.Next(4) != 0)
            {
                fields.Add(name + "=" + value);
            }
        }

        var form = string.Join('&', fields);
        return random.Next(6) switch
        {
            0 => (Encoding.UTF8.GetBytes(form), random.Pick(["multipart/form-data", "multipart/form-data; boundary=x", "application/json", "text/plain"])),
            1 => ([.. Encoding.UTF8.GetBytes(form), 0xff, 0xfe, 0x00], "application/x-www-form-urlencoded"),
            _ => (Encoding.UTF8.GetBytes(form), "application/x-www-form-urlencoded"),
        };
    }

    private static (byte[]? Body, string? ContentType) Body(SplitMix64 random, JsonNode? schema, JsonObject document, TestAccount owner)
    {
        var json = Value(random, schema, document, depth: 0, owner) ?? new JsonObject { ["email"] = owner.Email };
        if (json is JsonObject obj && obj.Count > 0)
        {
            switch (random.Next(5))
            {
                case 0:
                    obj.Remove(obj.ElementAt(random.Next(obj.Count)).Key);
                    break;
                case 1:
                    obj["extra" + random.Next(100)] = Value(random, null, document, 3, owner);
                    break;
                case 2:
                    obj[obj.ElementAt(random.Next(obj.Count)).Key] = random.Pick<JsonNode?>([null, 1, -1.5, true, "x", new JsonArray(), new JsonObject(), new string('z', 200_000)]);
                    break;
            }
        }

        var text = json.ToJsonString();
        var contentType = random.Next(10) == 0
            ? random.Pick(["application/json; charset=ebcdic", "application/json; charset=utf-16", "text/plain", "application/xml", "multipart/form-data", "application/x-www-form-urlencoded", "application/json; charset=\"utf-8\"", "application/*"])
            : "application/json";
        return random.Next(12) switch
        {
            0 => (Encoding.UTF8.GetBytes(text[..random.Next(text.Length)]), contentType),
            1 => ([.. Encoding.UTF8.GetBytes(text[..(text.Length / 2)]), 0xc3, 0x28, 0xff, .. Encoding.UTF8.GetBytes(text[(text.Length / 2)..])], contentType),
            2 => (Encoding.UTF8.GetBytes("{\"email\":\"\\ud800\",\"name\":\"\\udc00\",\"\\ud800\":1}"), contentType),
            3 => (null, random.Next(2) == 0 ? null : contentType),
            4 => (Encoding.UTF8.GetBytes(random.Pick(["null", "[]", "1", "\"x\"", "{", "}", "", new string('[', 2000)])), contentType),
            _ => (Encoding.UTF8.GetBytes(text), contentType),
        };
    }

    // A value shaped by the schema (following $ref), with a chance of a huge or wrongly typed value at each level.
    private static JsonNode? Value(SplitMix64 random, JsonNode? schema, JsonObject document, int depth, TestAccount owner)
    {
        if ((string?)schema?["$ref"] is { } reference)
        {
            schema = document["components"]?["schemas"]?[reference.Split('/')[^1]];
        }

        if (random.Next(25) == 0 || depth > 4)
        {
            return random.Pick<JsonNode?>([null, 0, "x", new string('h', random.Next(70_000)), new JsonArray(), false]);
        }

        var type = (string?)schema?["type"] ?? (schema?["properties"] is not null ? "object" : random.Pick(["string", "integer", "object", "array"]));
        switch (type)
        {
            case "object":
                var obj = new JsonObject();
                foreach (var (name, property) in schema?["properties"] as JsonObject ?? [])
                {
                    if (random.Next(5) != 0)
                    {
                        obj[name] = Value(random, property, document, depth + 1, owner);
                    }
                }

                return obj;
            case "array":
                return new JsonArray([.. Enumerable.Range(0, random.Next(4)).Select(_ => Value(random, schema?["items"], document, depth + 1, owner))]);
            case "integer":
            case "number":
                return random.Pick<JsonNode?>([0, 1, 2, 5, -1, int.MaxValue, long.MinValue, 1.5]);
            case "boolean":
                return random.Next(2) == 0;
            default:
                return (string?)schema?["format"] switch
                {
                    "uuid" => random.Pick([Guid.NewGuid().ToString(), "not-a-guid", owner.UserId]),
                    "date-time" => random.Pick(["0001-01-01T00:00:00", "2026-11-21T00:00:00Z", "x"]),
                    _ => random.Pick([Fake.EncString(), owner.Email, "", "2.x|y|z", "\u0000", "a\ud800b", new string('s', random.Next(2000))]),
                };
        }
    }

    private sealed record FuzzRequest(string Method, string Url, byte[]? Body, string? ContentType, bool Authorized)
    {
        public HttpRequestMessage ToMessage(string? token)
        {
            var message = new HttpRequestMessage(new HttpMethod(Method), Url);
            if (token is not null)
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            if (Body is not null)
            {
                message.Content = new ByteArrayContent(Body);
                if (ContentType is not null)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }
            }

            return message;
        }

        public override string ToString() =>
            $"{Method} {(Url.Length > 200 ? Url[..200] + "…" : Url)} [{ContentType}] {HttpExtensions.Shorten(Body is null ? "(no body)" : Encoding.UTF8.GetString(Body))}";
    }

    // SplitMix64 (Steele, Lea, Flood 2014): a small seeded generator, so a run is reproducible from its seed.
    private sealed class SplitMix64(ulong seed)
    {
        private ulong state = seed;

        public int Next(int bound)
        {
            var z = state += 0x9E3779B97F4A7C15;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return (int)((z ^ (z >> 31)) % (ulong)Math.Max(1, bound));
        }

        public T Pick<T>(T[] items) => items[Next(items.Length)];
    }

    // Errors the server logs with an exception: what an unhandled exception looks like from outside.
    private sealed class CapturedErrors : ILoggerProvider
    {
        public ConcurrentQueue<string> Errors { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Errors);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> errors) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error && exception is not null)
                {
                    errors.Enqueue($"{category}: {formatter(state, exception)}: {exception.GetType().Name}: {exception.Message}");
                }
            }
        }
    }
}
