using System.Globalization;
using Coffer.Bench;
using Coffer.E2E.Tests.Browser;
using Coffer.WebBench;
using Microsoft.Playwright;

// bench/web: how long a large vault takes from pressing "Log in" (or "Unlock") to its list on screen, in headless
// Chromium against the real Release server on 127.0.0.1. See bench/web/README.md.
var options = WebBenchOptions.Parse(args);
var root = RepoRoot();
var serverDll = Path.Combine(root, "src/Coffer.Server/bin/Release/net10.0/coffer-server.dll");
if (!File.Exists(serverDll) || !File.Exists(Path.Combine(root, "web/dist/index.html")))
{
    await Console.Error.WriteLineAsync("Build first: web/dist (npm run build in web/) and coffer-server (dotnet build -c Release); bench/web/run.sh does both.");
    return 1;
}

await using var server = await ServerProcess.StartCofferAsync(serverDll);
Console.WriteLine($"coffer-server on {server.BaseAddress}; seeding {options.Items} items in {options.Folders} folders…");
var password = $"Bench-Horse-{Guid.NewGuid():N}";
var vault = await VaultSeeder.SeedAsync(server.BaseAddress, null, $"web-bench-{Guid.NewGuid():N}@coffer.test", password, options.Items, options.Folders);

var loadAverage = WebBenchReport.LoadAverage();
using var playwright = await Playwright.CreateAsync();
await using var browser = await Chromium.LaunchAsync(playwright);
Console.WriteLine($"Chromium {browser.Version}, {options.Runs} runs each (after {options.Warmup} warm-up), load average {loadAverage}");

var login = new List<UnlockTiming>();
var unlock = new List<UnlockTiming>();
for (var run = -options.Warmup; run < options.Runs; run++)
{
    await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
    {
        ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        BaseURL = server.BaseAddress.ToString(),
    });
    await context.AddInitScriptAsync(UnlockTiming.Probe);
    var page = await context.NewPageAsync();
    await page.GotoAsync("/");
    await page.GetByLabel("Email address").FillAsync(vault.Email);
    await page.GetByLabel("Master password").FillAsync(password);
    var loggedIn = await UnlockTiming.MeasureAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Log in" }), options.Items);

    await page.GetByRole(AriaRole.Button, new() { Name = "Lock" }).ClickAsync();
    await page.GetByLabel("Master password").FillAsync(password);
    var unlocked = await UnlockTiming.MeasureAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Unlock" }), options.Items);
    var label = run < 0 ? "warm-up" : $"run {run + 1}";
    Console.WriteLine($"{label,-8} log in {loggedIn}   unlock {unlocked}");
    if (run >= 0)
    {
        login.Add(loggedIn);
        unlock.Add(unlocked);
    }
}

var report = WebBenchReport.Markdown(options, browser.Version, loadAverage, login, unlock);
Console.WriteLine();
Console.WriteLine(report);
var resultPath = Path.Combine(root, "bench/results/web-unlock.md");
await File.WriteAllTextAsync(resultPath, report);
Console.WriteLine($"Written to {Path.GetRelativePath(root, resultPath)}");
return 0;

static string RepoRoot()
{
    for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
    {
        if (File.Exists(Path.Combine(folder.FullName, "Coffer.slnx")))
        {
            return folder.FullName;
        }
    }

    throw new InvalidOperationException("Coffer.slnx not found above " + AppContext.BaseDirectory);
}

namespace Coffer.WebBench
{
    internal sealed record WebBenchOptions(int Items, int Folders, int Runs, int Warmup)
    {
        public static WebBenchOptions Parse(string[] args)
        {
            int Value(string name, int fallback)
            {
                var at = Array.IndexOf(args, name);
                return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
            }

            return new WebBenchOptions(Value("--items", 3000), Value("--folders", 10), Value("--runs", 7), Value("--warmup", 1));
        }
    }
}
