using System.Collections.Concurrent;
using System.Diagnostics;
using Coffer.Client;

namespace Coffer.E2E.Tests.Harness;

/// <summary>What one write request came to: an HTTP status, or no answer at all.</summary>
public sealed record WriteOutcome(string Phase, string Name, string Result, TimeSpan Elapsed)
{
    public bool Acknowledged => Result == Ok;

    public const string Ok = "2xx";
}

/// <summary>
/// Several concurrent writers creating one login item per request through <see cref="ApiSession"/>, until
/// stopped. Every request is recorded: its item name (unique), what it came to, and how long it took. An item is
/// acknowledged when the server answered 2xx with its id; a fault test later checks that every acknowledged item
/// survived. <see cref="Phase"/> labels the outcomes so a test can tell "during the outage" from "after it".
/// </summary>
public sealed class WriteLoad : IAsyncDisposable
{
    // Long enough that only a real hang reaches it; a request that fails fast is never near it.
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly ApiSession session;
    private readonly ConcurrentDictionary<Guid, string> acknowledged = new();
    private readonly ConcurrentQueue<WriteOutcome> outcomes = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task[] writers;
    private int attempted;
    private volatile string phase = "load";

    private WriteLoad(ApiSession session, int writerCount, string prefix)
    {
        this.session = session;
        writers = [.. Enumerable.Range(0, writerCount).Select(w => Task.Run(() => WriteAsync($"{prefix}-w{w}")))];
    }

    /// <summary>The label given to outcomes of requests started from now on.</summary>
    public string Phase
    {
        get => phase;
        set => phase = value;
    }

    public int Attempted => Volatile.Read(ref attempted);

    /// <summary>Item id → name of every write the server acknowledged.</summary>
    public IReadOnlyDictionary<Guid, string> Acknowledged => acknowledged;

    public IReadOnlyCollection<WriteOutcome> Outcomes => outcomes;

    /// <summary>The names of every write attempted, acknowledged or not.</summary>
    public IEnumerable<string> AttemptedNames => outcomes.Select(o => o.Name);

    public static WriteLoad Start(ApiSession session, int writers, string prefix) => new(session, writers, prefix);

    /// <summary>Waits until at least <paramref name="count"/> outcomes match <paramref name="predicate"/>.</summary>
    public async Task WaitForAsync(Func<WriteOutcome, bool> predicate, int count, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (outcomes.Count(predicate) < count)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds} s for {count} writes that {what}; outcomes so far: {Summary()}");
            }

            await Task.Delay(50);
        }
    }

    public Task WaitForAcknowledgedAsync(int count, TimeSpan timeout) =>
        WaitForAsync(o => o.Acknowledged, count, timeout, "were acknowledged");

    /// <summary>Stops starting new writes and waits for those in flight to finish.</summary>
    public async Task StopAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(writers);
    }

    /// <summary>"load: 2xx × 340, 503 × 12, no answer × 4" per phase, for reports and failure messages.</summary>
    public string Summary() => string.Join("; ", outcomes.GroupBy(o => o.Phase).Select(phase =>
        $"{phase.Key}: " + string.Join(", ", phase.GroupBy(o => o.Result).OrderBy(g => g.Key).Select(g => $"{g.Key} × {g.Count()}"))));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        stop.Dispose();
    }

    private async Task WriteAsync(string writer)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var name = $"{writer}-{n}";
            Interlocked.Increment(ref attempted);
            var label = Phase;
            var clock = Stopwatch.StartNew();
            string result;
            using (var timeout = new CancellationTokenSource(RequestTimeout))
            {
                try
                {
                    var id = await session.CreateLoginAsync(name, timeout.Token);
                    acknowledged[id] = name;
                    result = WriteOutcome.Ok;
                }
                catch (CofferApiException e) when (e.StatusCode is { } status)
                {
                    result = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (Exception e) when (e is CofferApiException or HttpRequestException or IOException)
                {
                    // No HTTP answer: connection refused or reset (a killed node), or TLS cut short.
                    result = "no answer";
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    result = "timed out";
                }
            }

            outcomes.Enqueue(new WriteOutcome(label, name, result, clock.Elapsed));
            if (result != WriteOutcome.Ok)
            {
                // A node that is down refuses in microseconds; do not spin.
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }
}
