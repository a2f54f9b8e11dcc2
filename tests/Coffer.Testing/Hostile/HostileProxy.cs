using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Coffer.Testing.Hostile;

/// <summary>
/// The malicious server of malicious-server.md §4: a real reverse proxy (YARP's forwarder, on Kestrel at 127.0.0.1)
/// between a client under test and an honest Coffer server. With no scenario armed it forwards everything unchanged
/// (the baseline); with one armed it rewrites, replaces or answers exactly the exchanges the scenario's rules match.
/// It records every request the client sends (<see cref="Egress"/>), so a test can prove that no secret left the client
/// (<see cref="Leaks"/>) and that no harmful write was made. Upstream answers are asked for uncompressed, so rules can
/// rewrite them; WebSockets (live sync) pass through.
/// </summary>
public sealed class HostileProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _upstreamClient;
    private readonly string _upstreamPrefix;
    private readonly Lock _gate = new();
    private readonly List<EgressRecord> _egress = [];
    private readonly Dictionary<HostileRule, int> _matches = new(ReferenceEqualityComparer.Instance);
    private HostileScenario? _scenario;

    private HostileProxy(WebApplication app, HttpMessageInvoker upstreamClient, Uri upstream)
    {
        _app = app;
        _upstreamClient = upstreamClient;
        _upstreamPrefix = upstream.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>The proxy's own address (http, or https with <c>serveTls</c>), to give the client as its server.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The armed scenario, or null for the honest baseline.</summary>
    public HostileScenario? Scenario
    {
        get
        {
            lock (_gate)
            {
                return _scenario;
            }
        }
    }

    /// <summary>Every request the client sent through the proxy since the start or <see cref="ClearEgress"/>, in order.</summary>
    public IReadOnlyList<EgressRecord> Egress
    {
        get
        {
            lock (_gate)
            {
                return [.. _egress];
            }
        }
    }

    /// <summary>
    /// Starts a proxy in front of <paramref name="upstream"/>. <paramref name="certificates"/> (when given) is trusted for
    /// an https upstream and, with <paramref name="serveTls"/>, provides the certificate the proxy serves itself.
    /// </summary>
    public static async Task<HostileProxy> StartAsync(Uri upstream, TestCertificates? certificates = null, bool serveTls = false)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        if (serveTls && certificates is null)
        {
            throw new ArgumentException("Serving TLS needs the test certificates.", nameof(certificates));
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHttpForwarder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (serveTls)
            {
                listen.UseHttps(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
                    certificates!.ServerCertPath, certificates.ServerKeyPath));
            }
        }));

        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(15),
        };
        if (certificates is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) => certificates.IsTrusted(cert, errors);
        }

        var app = builder.Build();
        var proxy = new HostileProxy(app, new HttpMessageInvoker(handler), upstream);
        app.UseWebSockets();
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return proxy;
    }

    /// <summary>Arms <paramref name="scenario"/> (replacing any other) and restarts its rules' occurrence counts.</summary>
    public void Arm(HostileScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        lock (_gate)
        {
            _scenario = scenario;
            _matches.Clear();
        }
    }

    /// <summary>Back to the honest baseline: forward everything unchanged.</summary>
    public void Disarm()
    {
        lock (_gate)
        {
            _scenario = null;
            _matches.Clear();
        }
    }

    public void ClearEgress()
    {
        lock (_gate)
        {
            _egress.Clear();
        }
    }

    /// <summary>The recorded requests with <paramref name="method"/> whose path (without query) matches <paramref name="pathPattern"/>.</summary>
    public IReadOnlyList<EgressRecord> Requests(string method, string pathPattern)
    {
        var regex = new Regex(pathPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return [.. Egress.Where(r => string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase) && regex.IsMatch(r.Path))];
    }

    /// <summary>
    /// Where any of <paramref name="secrets"/> appears in what the client sent: in a path or query, a header, or a body
    /// (raw bytes, URL-decoded text, and every JSON string value, so JSON escaping cannot hide it). Byte secrets are looked
    /// for raw, as Base64, Base64url and hex; text secrets as UTF-8 and URL-encoded. Empty when nothing leaked; otherwise one
    /// line per finding, naming the secret and the request.
    /// </summary>
    public IReadOnlyList<string> Leaks(params Secret[] secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var findings = new List<string>();
        foreach (var record in Egress)
        {
            var texts = record.SearchableTexts();
            foreach (var secret in secrets)
            {
                if (secret.FoundIn(record.Body, texts))
                {
                    findings.Add($"{secret.Name} in {record.Method} {record.Path}{record.Query}");
                }
            }
        }

        return findings;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstreamClient.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        request.Body.Position = 0;

        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var record = new EgressRecord(request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? "", headers, buffer.ToArray());
        List<HostileRule> rules;
        lock (_gate)
        {
            _egress.Add(record);
            rules = MatchingRules(record);
        }

        var answer = rules.FirstOrDefault(r => r.Answer is not null);
        if (answer is not null)
        {
            var (status, body) = answer.Answer!(record);
            context.Response.StatusCode = status;
            if (body is not null)
            {
                context.Response.ContentType = "application/json; charset=utf-8";
                await context.Response.WriteAsync(body, context.RequestAborted);
            }

            return;
        }

        var forwarder = context.RequestServices.GetRequiredService<IHttpForwarder>();
        await forwarder.SendAsync(context, _upstreamPrefix, _upstreamClient, ForwarderRequestConfig.Empty, new Rewriter(rules, record));
    }

    private List<HostileRule> MatchingRules(EgressRecord record)
    {
        var matching = new List<HostileRule>();
        foreach (var rule in _scenario?.Rules ?? [])
        {
            if (!rule.Matches(record))
            {
                continue;
            }

            var count = _matches.GetValueOrDefault(rule) + 1;
            _matches[rule] = count;
            if (rule.Occurrence is null || rule.Occurrence == count)
            {
                matching.Add(rule);
            }
        }

        return matching;
    }

    private sealed class Rewriter(List<HostileRule> rules, EgressRecord record) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

            // The server builds absolute URLs from the Host header; keeping the proxy's keeps the client behind the proxy.
            proxyRequest.Headers.Host = httpContext.Request.Host.Value;
            proxyRequest.Headers.AcceptEncoding.Clear();
            foreach (var rule in rules)
            {
                rule.Request?.Invoke(proxyRequest);
            }
        }

        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
        {
            await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
            var rewrites = rules.Where(r => r.Response is not null).ToList();
            if (proxyResponse is null || rewrites.Count == 0)
            {
                return true;
            }

            var text = await proxyResponse.Content.ReadAsStringAsync(cancellationToken);
            JsonNode? body;
            try
            {
                body = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                body = JsonValue.Create(text);
            }

            foreach (var rule in rewrites)
            {
                body = rule.Response!(body, record);
            }

            var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body.ToJsonString());
            httpContext.Response.ContentLength = bytes.Length;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            await httpContext.Response.Body.WriteAsync(bytes, cancellationToken);
            return false;
        }
    }
}

/// <summary>One request as the client sent it (before any rule changed it on its way upstream).</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path, without the query.</param>
/// <param name="Query">The query string with its leading <c>?</c>, or empty.</param>
/// <param name="Headers">Every header, by name (case-insensitive).</param>
/// <param name="Body">The body's bytes (empty when none).</param>
public sealed record EgressRecord(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The body parsed as JSON, or null when it is not JSON.</summary>
    public JsonNode? BodyJson()
    {
        try
        {
            return Body.Length == 0 ? null : JsonNode.Parse(Body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal List<string> SearchableTexts()
    {
        var body = BodyText;
        var texts = new List<string>
        {
            Path + Query,
            WebUtility.UrlDecode(Path + Query),
            string.Join('\n', Headers.Select(h => $"{h.Key}: {h.Value}")),
            body,
            WebUtility.UrlDecode(body),
        };
        if (BodyJson() is { } json)
        {
            var values = new StringBuilder();
            Collect(json, values);
            texts.Add(values.ToString());
        }

        return texts;
    }

    private static void Collect(JsonNode? node, StringBuilder values)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o)
                {
                    values.Append(name).Append('\n');
                    Collect(value, values);
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Collect(item, values);
                }

                break;
            case JsonValue v when v.TryGetValue<string>(out var s):
                values.Append(s).Append('\n');
                break;
        }
    }
}

/// <summary>Something that must never leave the client: key bytes (a master key, a user key) or a text (a password).</summary>
public sealed record Secret(string Name, byte[] Bytes, bool IsText)
{
    /// <summary>Key material, looked for raw and as Base64, Base64url and hex.</summary>
    public static Secret Key(string name, ReadOnlySpan<byte> bytes) => new(name, bytes.ToArray(), IsText: false);

    /// <summary>A text, looked for as UTF-8 and URL-encoded.</summary>
    public static Secret Text(string name, string text) => new(name, Encoding.UTF8.GetBytes(text), IsText: true);

    internal bool FoundIn(byte[] body, List<string> texts)
    {
        if (Bytes.Length == 0)
        {
            return false;
        }

        if (body.AsSpan().IndexOf(Bytes) >= 0)
        {
            return true;
        }

        string[] forms = IsText
            ? [Encoding.UTF8.GetString(Bytes), Uri.EscapeDataString(Encoding.UTF8.GetString(Bytes))]
            : [Convert.ToBase64String(Bytes), Convert.ToBase64String(Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_'), Convert.ToHexString(Bytes)];
        return texts.Any(t => forms.Any(f => t.Contains(f, StringComparison.OrdinalIgnoreCase)));
    }
}
