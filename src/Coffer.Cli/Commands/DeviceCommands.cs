using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Coffer.Cli.Storage;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer devices list [--json]</c> and <c>coffer devices revoke ID</c> (account doc §4).</summary>
internal static class DeviceCommands
{
    public static Command Create(CliRunner run)
    {
        var json = new Option<bool>("--json") { Description = "Print the server's device objects as a JSON array" };
        var list = new Command("list", "List the account's devices: id, name, type, last login, and * for this one") { json };
        list.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (client, _) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
            using (client)
            {
                var devices = (await client.ListDevicesAsync(ct)).Data;
                if (r.GetValue(json))
                {
                    ctx.Host.Out.WriteLine(JsonSerializer.Serialize(devices, ItemCommands.Json));
                    return;
                }

                var self = ctx.DeviceId();
                foreach (var d in devices)
                {
                    var seen = d.LastActivityDate?.ToString("u", CultureInfo.InvariantCulture) ?? "-";
                    ctx.Host.Out.WriteLine($"{d.Id}\t{d.Name}\t{d.Type}\t{seen}{(d.Identifier == self ? "\t*" : "")}");
                }
            }
        }));

        var id = new Argument<Guid>("id") { Description = "The device id from `coffer devices list`" };
        var revoke = new Command("revoke", "Sign a device out for good: its tokens stop working until it logs in again") { id };
        revoke.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (client, _) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
            using (client)
            {
                var target = r.GetValue(id);
                var own = (await client.ListDevicesAsync(ct)).Data.Any(d => d.Id == target && d.Identifier == ctx.DeviceId());
                await client.DeactivateDeviceAsync(target, ct);
                if (own)
                {
                    ctx.Directory.Delete(StateFiles.Session);
                    ctx.Host.Out.WriteLine("Revoked this device; its session has ended.");
                    return;
                }

                ctx.Host.Out.WriteLine($"Revoked device {target}.");
            }
        }));

        return new Command("devices", "See and revoke the devices logged in to the account") { list, revoke };
    }
}
