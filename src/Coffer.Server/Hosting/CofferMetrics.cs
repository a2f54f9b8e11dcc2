using System.Diagnostics.Metrics;
using Coffer.Server.Audit;

namespace Coffer.Server.Hosting;

/// <summary>
/// Coffer's own counters (meter <c>Coffer</c>), beside ASP.NET Core's built-in request metrics; served at
/// <c>/metrics</c> by <see cref="Telemetry"/>. The meter comes from the host's <see cref="IMeterFactory"/>,
/// so each server instance (and each test server) counts on its own. Counters carry no user data: no e-mail,
/// id or address, only totals.
/// </summary>
public sealed class CofferMetrics
{
    public const string MeterName = "Coffer";

    private readonly Meter meter;
    private readonly Counter<long> loginsSucceeded;
    private readonly Counter<long> loginsFailed;
    private readonly Counter<long> backgroundRuns;
    private readonly Counter<long> backgroundRemoved;
    private readonly Counter<long> mailSent;
    private readonly Counter<long> mailFailed;

    public CofferMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        meter = meters.Create(MeterName);
        loginsSucceeded = meter.CreateCounter<long>("coffer.logins.succeeded", "{login}", "Password logins that issued tokens");
        loginsFailed = meter.CreateCounter<long>("coffer.logins.failed", "{login}", "Password logins refused (wrong credentials, disabled account)");
        RateLimited = meter.CreateCounter<long>("coffer.rate_limited.requests", "{request}", "Requests answered 429 by a rate limit");
        DatabaseFailures = meter.CreateCounter<long>("coffer.database.failures", "{failure}", "Requests and readiness checks that found the database unavailable");
        backgroundRuns = meter.CreateCounter<long>("coffer.background.runs", "{run}", "Background runs on this node, by outcome: completed, skipped (another node had it) or failed");
        backgroundRemoved = meter.CreateCounter<long>("coffer.background.removed", "{item}", "Rows and files removed by background runs, by job");
        mailSent = meter.CreateCounter<long>("coffer.mail.sent", "{message}", "Mail delivered to the SMTP server by this node, by template");
        mailFailed = meter.CreateCounter<long>("coffer.mail.failed", "{attempt}", "Failed mail deliveries on this node, by template and outcome: retry or given_up");
    }

    public Counter<long> RateLimited { get; }

    public Counter<long> DatabaseFailures { get; }

    /// <summary>
    /// Adds the gauge <c>coffer.hub.connections</c> (Prometheus <c>coffer_hub_connections</c>): open live-sync
    /// connections on this node, tagged <c>hub</c> = <c>authenticated</c> or <c>anonymous</c>. Called once, by the
    /// node's connection registry, which the gauge reads at each collection.
    /// </summary>
    public void ObserveHubConnections(Func<int> authenticated, Func<int> anonymous)
    {
        ArgumentNullException.ThrowIfNull(authenticated);
        ArgumentNullException.ThrowIfNull(anonymous);
        meter.CreateObservableGauge(
            "coffer.hub.connections",
            () => new Measurement<int>[]
            {
                new(authenticated(), new KeyValuePair<string, object?>("hub", "authenticated")),
                new(anonymous(), new KeyValuePair<string, object?>("hub", "anonymous")),
            },
            "{connection}",
            "Open live-sync hub connections on this node");
    }

    /// <summary>
    /// Counts one background run (<c>coffer.background.runs</c>, tag <c>outcome</c>) and what it removed
    /// (<c>coffer.background.removed</c>, tag <c>job</c>, see <see cref="Background.BackgroundReport.Counts"/>).
    /// </summary>
    public void BackgroundRun(string outcome, IEnumerable<(string Job, int Count)> removed)
    {
        ArgumentNullException.ThrowIfNull(removed);
        backgroundRuns.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        foreach (var (job, count) in removed)
        {
            backgroundRemoved.Add(count, new KeyValuePair<string, object?>("job", job));
        }
    }

    /// <summary>Counts one delivered mail (<c>coffer.mail.sent</c>, tag <c>template</c>: the kind of mail, never a recipient).</summary>
    public void MailSent(string template) => mailSent.Add(1, new KeyValuePair<string, object?>("template", template));

    /// <summary>Counts one failed delivery (<c>coffer.mail.failed</c>, tags <c>template</c> and <c>outcome</c> = <c>retry</c> or <c>given_up</c>).</summary>
    public void MailFailed(string template, bool givenUp) => mailFailed.Add(
        1, new KeyValuePair<string, object?>("template", template), new KeyValuePair<string, object?>("outcome", givenUp ? "given_up" : "retry"));

    /// <summary>Counts the login events of a committed change (called by <see cref="Data.Changes"/> after its commit).</summary>
    public void Committed(IEnumerable<AuditEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var e in events)
        {
            switch (e.Type)
            {
                case EventType.UserLoggedIn:
                    loginsSucceeded.Add(1);
                    break;
                case EventType.UserFailedLogIn or EventType.UserFailedLogIn2fa:
                    loginsFailed.Add(1);
                    break;
            }
        }
    }
}

public static class CofferMetricsRegistration
{
    /// <summary>The meter factory and <see cref="CofferMetrics"/>, without an exporter (the server commands count too).</summary>
    public static IServiceCollection AddCofferMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<CofferMetrics>();
        return services;
    }
}
