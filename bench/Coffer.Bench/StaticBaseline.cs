using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coffer.Bench;

/// <summary>
/// <c>serve-baseline &lt;file&gt; &lt;port&gt;</c>: the smallest Kestrel app that can serve the same bytes, the yardstick
/// for Coffer's figures. <c>/static</c> answers the captured 3,000-item sync body from memory (the cost of
/// copying bytes), <c>/hello</c> a 5-byte body (the machine's request-rate ceiling with this load generator).
/// No auth, no routing groups, no logging, no database.
/// </summary>
public static class StaticBaseline
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 2 || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            await Console.Error.WriteLineAsync("usage: serve-baseline <file> <port>");
            return 2;
        }

        var bytes = await File.ReadAllBytesAsync(args[0]);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var app = builder.Build();
        app.MapGet("/static", () => Results.Bytes(bytes, "application/json; charset=utf-8"));
        app.MapGet("/hello", () => Results.Text("hello", "text/plain"));

        // The parent holds our stdin; when it goes away (even killed), stdin closes and we stop.
        _ = Task.Run(async () =>
        {
            await Console.In.ReadToEndAsync();
            await app.StopAsync();
        });
        await app.RunAsync();
        return 0;
    }
}
