using System.Globalization;

namespace Coffer.Server.Audit;

/// <summary>
/// The date range and paging shared by every event read (protocol account doc §5.1, following upstream's
/// <c>ApiHelpers.GetDateRange</c>): missing dates mean the last 30 days, a reversed range is swapped, ranges over
/// 367 days are refused. Pages run newest first; the continuation token is the sequence number to continue below.
/// </summary>
public sealed record EventQuery(DateTime Start, DateTime End, long? Before)
{
    public const int PageSize = 100;
    private const int MaxDays = 367;
    private static readonly DateTime MaxDate = new(9000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The parsed query, or the error message for a 400.</summary>
    public static (EventQuery? Query, string? Error) Parse(string? start, string? end, string? continuationToken, DateTime now)
    {
        if (!TryParseDate(start, out var from) || !TryParseDate(end, out var to))
        {
            return (null, "start and end must be ISO-8601 dates between 1970 and 9000, e.g. 2026-11-21T00:00:00.000Z.");
        }

        long? before = null;
        if (!string.IsNullOrEmpty(continuationToken))
        {
            if (!long.TryParse(continuationToken, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || sequence < 1)
            {
                return (null, "The continuation token is not valid.");
            }

            before = sequence;
        }

        var e = to ?? now;
        var s = from ?? e.AddDays(-30);
        if (s > e)
        {
            (s, e) = (e, s);
        }

        return e - s > TimeSpan.FromDays(MaxDays)
            ? (null, $"The date range may span at most {MaxDays} days.")
            : (new EventQuery(s, e, before), null);
    }

    /// <summary>Applies the range and page start; the caller orders by sequence descending and takes one more than a page.</summary>
    public IQueryable<AuditEvent> Apply(IQueryable<AuditEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var (s, e) = (Start, End);
        events = events.Where(x => x.Date >= s && x.Date <= e);
        if (Before is { } before)
        {
            events = events.Where(x => x.Sequence < before);
        }

        return events.OrderByDescending(x => x.Sequence).Take(PageSize + 1);
    }

    /// <summary>The token for the page after <paramref name="fetched"/> (which holds up to PageSize + 1 rows), or null.</summary>
    public static string? NextToken(List<AuditEvent> fetched)
    {
        ArgumentNullException.ThrowIfNull(fetched);
        if (fetched.Count <= PageSize)
        {
            return null;
        }

        fetched.RemoveAt(PageSize);
        return fetched[^1].Sequence.ToString(CultureInfo.InvariantCulture);
    }

    private static bool TryParseDate(string? text, out DateTime? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        // Dates outside 1970–9000 are refused rather than clamped: nothing was logged then, and the default range
        // arithmetic (30 days before the end) must never leave DateTime's range.
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            && parsed.UtcDateTime >= DateTime.UnixEpoch && parsed.UtcDateTime < MaxDate)
        {
            value = parsed.UtcDateTime;
            return true;
        }

        return false;
    }
}
