using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Coffer.Testing.Hostile;

/// <summary>
/// One attack of malicious-server.md (§0's "Test scenario" column, e.g. <c>kdf-downgrade</c>) as the rules a
/// <see cref="HostileProxy"/> applies. The same scenario object drives the CLI test and the web vault test, so both
/// clients are held to one rule. Scenario builders live beside this file, one file per area
/// (<c>AccountScenarios</c>, <c>VaultScenarios</c>, <c>OrganizationScenarios</c>).
/// </summary>
/// <param name="Id">The scenario id of malicious-server.md.</param>
/// <param name="Rules">What the proxy changes; every matching rule applies, in order.</param>
public sealed record HostileScenario(string Id, IReadOnlyList<HostileRule> Rules)
{
    public HostileScenario(string id, params HostileRule[] rules)
        : this(id, (IReadOnlyList<HostileRule>)rules)
    {
    }
}

/// <summary>
/// Which exchanges a rule touches (method and a path regex, optionally only the n-th match) and what it does: rewrite
/// the JSON answer (<see cref="Response"/>), change the request on its way upstream (<see cref="Request"/>), or answer
/// in the server's place without forwarding (<see cref="Answer"/>).
/// </summary>
/// <param name="Method">HTTP method, or <c>*</c> for any.</param>
/// <param name="PathPattern">Regex matched (case-insensitively) against the request path without its query, e.g. <c>^/api/sync$</c>.</param>
public sealed record HostileRule(string Method, string PathPattern)
{
    private readonly Regex _path = new(PathPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Only the n-th matching request (1-based) is touched; null: every match.</summary>
    public int? Occurrence { get; init; }

    /// <summary>
    /// Rewrites the answer: given the upstream body parsed as JSON (null when empty; a JSON string when not JSON) and the
    /// request, returns the body to send instead (it may mutate and return the same node).
    /// </summary>
    public Func<JsonNode?, EgressRecord, JsonNode?>? Response { get; init; }

    /// <summary>Changes the request forwarded upstream (the egress log keeps what the client sent).</summary>
    public Action<HttpRequestMessage>? Request { get; init; }

    /// <summary>Answers without forwarding: status code and JSON body (null for none).</summary>
    public Func<EgressRecord, (int Status, string? Body)>? Answer { get; init; }

    /// <summary>A rule that rewrites the JSON answer of <paramref name="method"/> <paramref name="pathPattern"/>.</summary>
    public static HostileRule Rewrite(string method, string pathPattern, Func<JsonNode?, JsonNode?> rewrite) =>
        new(method, pathPattern) { Response = (body, _) => rewrite(body) };

    internal bool Matches(EgressRecord record) =>
        (Method == "*" || string.Equals(Method, record.Method, StringComparison.OrdinalIgnoreCase)) && _path.IsMatch(record.Path);
}
