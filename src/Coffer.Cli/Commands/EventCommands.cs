using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Coffer.Protocol.Api;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer events [--json]</c>: the account's own audit log from the server, last 30 days, newest first.</summary>
internal static class EventCommands
{
    // Bitwarden's names for its numbers (protocol account doc §5.3) and Coffer's own (9000 and up).
    private static readonly Dictionary<int, string> Names = new()
    {
        [1000] = "logged in",
        [1001] = "changed master password",
        [1002] = "updated two-step login",
        [1003] = "disabled two-step login",
        [1004] = "recovered two-step login",
        [1005] = "failed login",
        [1006] = "failed two-step login",
        [1100] = "item created",
        [1101] = "item updated",
        [1102] = "item deleted",
        [1115] = "item moved to trash",
        [1116] = "item restored",
        [1105] = "item shared into the organization",
        [1106] = "item collections changed",
        [1107] = "item viewed",
        [1300] = "collection created",
        [1301] = "collection updated",
        [1302] = "collection deleted",
        [1400] = "group created",
        [1401] = "group updated",
        [1402] = "group deleted",
        [1500] = "member invited",
        [1501] = "member confirmed",
        [1502] = "member updated",
        [1503] = "member removed",
        [1504] = "member groups updated",
        [1511] = "member revoked",
        [1512] = "member restored",
        [1516] = "member left",
        [1600] = "organization updated",
        [1601] = "organization vault purged",
        [1602] = "organization vault exported",
        [1700] = "policy updated",
        [9000] = "registered",
        [9001] = "locked out",
        [9002] = "changed KDF",
        [9003] = "rotated keys",
        [9004] = "changed e-mail",
        [9005] = "deauthorized sessions",
        [9006] = "deleted account",
        [9007] = "device deactivated",
        [9100] = "disabled by an admin",
        [9101] = "enabled by an admin",
        [9102] = "logged out by an admin",
        [9103] = "deleted by an admin",
        [9106] = "made an admin",
        [9108] = "admin role revoked",
        [9109] = "proved for admin actions",
        [9110] = "failed admin proof",
        [9200] = "items imported",
    };

    /// <summary>A person's words for an event number: Bitwarden's names (account doc §5.3, organizations doc §6.5) and Coffer's.</summary>
    public static string Describe(int type) => Names.GetValueOrDefault(type, "event " + type.ToString(CultureInfo.InvariantCulture));

    public static Command Create(CliRunner run)
    {
        var json = new Option<bool>("--json") { Description = "Print the events as a JSON array (Bitwarden's event objects)" };
        var command = new Command("events", "List your account's events (logins, failed logins, item changes) of the last 30 days") { json };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (client, _) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
            using (client)
            {
                Print(ctx, await AllPagesAsync(token => client.GetEventsAsync(null, null, token, ct)), r.GetValue(json), e => e.IpAddress ?? "-");
            }
        }));
        return command;
    }

    /// <summary>Every page of an event list, following <c>continuationToken</c>.</summary>
    internal static async Task<List<EventResponseModel>> AllPagesAsync(Func<string?, Task<ListResponseModel<EventResponseModel>>> page)
    {
        var events = new List<EventResponseModel>();
        string? token = null;
        do
        {
            var next = await page(token);
            events.AddRange(next.Data);
            token = next.ContinuationToken;
        }
        while (token is not null);
        return events;
    }

    /// <summary>Events as JSON, or one line each: date, number, name, <paramref name="who"/>, and what it touched.</summary>
    internal static void Print(CliContext ctx, List<EventResponseModel> events, bool json, Func<EventResponseModel, string> who)
    {
        if (json)
        {
            ctx.Host.Out.WriteLine(JsonSerializer.Serialize(events, ItemCommands.Json));
            return;
        }

        foreach (var e in events)
        {
            var subject = e.CipherId is { } cipher ? $"\titem {cipher}"
                : e.CollectionId is { } collection ? $"\tcollection {collection}"
                : e.OrganizationUserId is { } member ? $"\tmember {member}"
                : "";
            ctx.Host.Out.WriteLine($"{e.Date.ToString("u", CultureInfo.InvariantCulture)}\t{e.Type}\t{Describe(e.Type)}\t{who(e)}{subject}");
        }
    }
}
