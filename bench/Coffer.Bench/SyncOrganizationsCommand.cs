using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Client.Crypto;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Bench;

/// <summary>
/// <c>sync-orgs</c> (issue 11: "a sync of an account in 5 organizations with 3,000 shared items takes the same
/// number of queries as one with 10"). Seeds one Release server with an owner of 5 organizations, a member who sees
/// 600 items in each (3,000 shared items), a member of the same 5 organizations who sees 2 in each (10), and an
/// account with 3,000 personal items of the same shape. Then it counts the SQL commands of one sync per account
/// (a second server process on the same data folder with command logging on, so the measured server logs nothing)
/// and loads each sync, plus the minimal Kestrel baseline serving the exact bytes of the 3,000-item organization
/// sync. Written to bench/results/sync-organizations.md.
/// </summary>
public static class SyncOrganizationsCommand
{
    private const int Organizations = 5;
    private const int LargeItemsPerOrganization = 600;
    private const int SmallItemsPerOrganization = 2;
    private const string SyncPath = "/api/sync?excludeDomains=true";

    public static async Task<int> RunAsync(HttpCommand.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.ServerDll))
        {
            await Console.Error.WriteLineAsync($"{options.ServerDll} is missing: run `dotnet build Coffer.slnx -c Release` first.");
            return 2;
        }

        var folder = Directory.CreateTempSubdirectory("coffer-bench-orgs-").FullName;
        try
        {
            await using var coffer = await ServerProcess.StartCofferAsync(options.ServerDll, folder);
            Console.WriteLine($"coffer-server pid {coffer.Pid} on {coffer.BaseAddress}");
            using var seedClient = LoadGenerator.CreateClient(coffer.BaseAddress, 4);
            var client = new VaultClient(seedClient);
            var owner = await client.RegisterAndLoginAsync("owner@bench.test");
            var large = await client.RegisterAndLoginAsync("member-3000@bench.test");
            var small = await client.RegisterAndLoginAsync("member-10@bench.test");
            var personal = await client.RegisterAndLoginAsync("personal-3000@bench.test");
            await client.ImportAsync(personal, Organizations * LargeItemsPerOrganization);
            for (var i = 0; i < Organizations; i++)
            {
                await SeedOrganizationAsync(seedClient, owner, large, small, i);
            }

            var syncFile = Path.Combine(folder, "sync-org-3000.json");
            await File.WriteAllBytesAsync(syncFile, await SyncBytesAsync(seedClient, large));
            var queries = await CountQueriesAsync(options.ServerDll, folder, [("member, 5 organizations, 3,000 shared items", large), ("member, 5 organizations, 10 shared items", small), ("personal vault, 3,000 items", personal)]);

            await using var baseline = await ServerProcess.StartBaselineAsync(syncFile);
            var loadOptions = new LoadOptions(options.Connections, options.Warmup, options.Duration);
            using var cofferLoad = LoadGenerator.CreateClient(coffer.BaseAddress, options.Connections);
            using var baselineLoad = LoadGenerator.CreateClient(baseline.BaseAddress, options.Connections);
            (string Name, string What, HttpClient Client, Func<HttpRequestMessage> Request)[] scenarios =
            [
                ("sync-org-3000", "GET /api/sync, member of 5 organizations, 3,000 shared items", cofferLoad, () => Sync(large)),
                ("sync-org-10", "GET /api/sync, member of 5 organizations, 10 shared items", cofferLoad, () => Sync(small)),
                ("sync-personal-3000", "GET /api/sync, 3,000 personal items (yardstick)", cofferLoad, () => Sync(personal)),
                ("static-org-3000", "baseline app, the exact bytes of sync-org-3000 (yardstick)", baselineLoad, () => new(HttpMethod.Get, "/static")),
            ];
            var loads = new List<(string What, LoadResult Result)>();
            foreach (var (name, what, http, request) in scenarios)
            {
                Console.WriteLine($"running {name} ({options.Warmup.TotalSeconds:0} s warm-up + {options.Duration.TotalSeconds:0} s)…");
                var result = await LoadGenerator.RunAsync(name, http, request, loadOptions);
                Console.WriteLine(Invariant($"  {result.RequestsPerSecond:#,0} req/s, p50 {result.P50Ms:0.00} ms, p99 {result.P99Ms:0.00} ms, errors {result.Errors}"));
                loads.Add((what, result));
            }

            var markdown = Markdown(options, queries, loads);
            Console.WriteLine();
            Console.WriteLine(markdown);
            Directory.CreateDirectory(options.ResultsFolder);
            var output = Path.Combine(options.ResultsFolder, "sync-organizations.md");
            await File.WriteAllTextAsync(output, markdown);
            Console.WriteLine($"written to {output}");
            return loads.Any(l => l.Result.Errors > 0) || queries[0].Commands != queries[1].Commands ? 1 : 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static HttpRequestMessage Sync(VaultClient.Account account)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, SyncPath);
        VaultClient.Authorize(request, account);
        return request;
    }

    private static async Task<byte[]> SyncBytesAsync(HttpClient http, VaultClient.Account account)
    {
        using var request = Sync(account);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>
    /// One organization as the web vault makes it (doc §2.3: a type-4 wrapped key and a first collection), a second
    /// collection, the two members invited into one collection each (existing accounts are Accepted at once) and
    /// confirmed with a type-4 key, and its items imported into the collections in one request.
    /// </summary>
    private static async Task SeedOrganizationAsync(HttpClient http, VaultClient.Account owner, VaultClient.Account large, VaultClient.Account small, int index)
    {
        using var organizationKey = SymmetricKey.Generate();
        var organization = await SendAsync(http, owner, HttpMethod.Post, "/api/organizations", new JsonObject
        {
            ["name"] = $"Organization {index}",
            ["billingEmail"] = owner.Email,
            ["planType"] = 0,
            ["key"] = WrappedKey(),
            ["collectionName"] = Encrypt("Shared", organizationKey),
        });
        var orgId = organization.RequireString("id");
        var collections = await SendAsync(http, owner, HttpMethod.Get, $"/api/organizations/{orgId}/collections", null);
        var shared = collections["data"]!.AsArray()[0]!.RequireString("id");
        var few = (await SendAsync(http, owner, HttpMethod.Post, $"/api/organizations/{orgId}/collections", new JsonObject
        {
            ["name"] = Encrypt("Few", organizationKey),
            ["users"] = new JsonArray(),
            ["groups"] = new JsonArray(),
        })).RequireString("id");

        foreach (var (member, collection) in new[] { (large, shared), (small, few) })
        {
            var invited = await SendAsync(http, owner, HttpMethod.Post, $"/api/organizations/{orgId}/users/invite", new JsonObject
            {
                ["emails"] = new JsonArray(member.Email),
                ["type"] = 2,
                ["collections"] = new JsonArray(new JsonObject { ["id"] = collection, ["readOnly"] = false, ["hidePasswords"] = false, ["manage"] = false }),
                ["groups"] = new JsonArray(),
            });
            var memberId = invited["data"]!.AsArray()[0]!.RequireString("id");
            await SendAsync(http, owner, HttpMethod.Post, $"/api/organizations/{orgId}/users/{memberId}/confirm", new JsonObject { ["key"] = WrappedKey() });
        }

        foreach (var (collection, count) in new[] { (shared, LargeItemsPerOrganization), (few, SmallItemsPerOrganization) })
        {
            var import = new ImportOrganizationCiphersRequestModel
            {
                Ciphers = [.. Enumerable.Range(0, count).Select(i => VaultClient.LoginItem(organizationKey, i) with { OrganizationId = orgId })],
                Collections = [new ImportCollectionModel { Id = collection }],
                CollectionRelationships = [.. Enumerable.Range(0, count).Select(i => new ImportRelationshipModel { Key = i, Value = 0 })],
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/ciphers/import-organization?organizationId={orgId}")
            {
                Content = JsonContent.Create(import, options: CofferJson.Options),
            };
            VaultClient.Authorize(request, owner);
            using var response = await http.SendAsync(request);
            await EnsureOkAsync(response, "import-organization");
        }
    }

    // The server stores the wrapped organization key as sent and only checks its form ("4." and Base64 of an
    // RSA-2048 block); these accounts' public keys are random bytes, so no real wrapping is possible or needed.
    private static string WrappedKey() => "4." + Convert.ToBase64String(RandomNumberGenerator.GetBytes(256));

    private static string Encrypt(string plaintext, SymmetricKey key) => EncString.EncryptString(plaintext, key).ToString();

    /// <summary>
    /// The SQL commands of one sync per account, counted from the log of a second server process on the same data
    /// folder with command logging on. Each account's first sync on that process (its sync cache is empty).
    /// </summary>
    private static async Task<List<(string Who, long Commands, long Bytes)>> CountQueriesAsync(string serverDll, string folder, (string Who, VaultClient.Account Account)[] accounts)
    {
        await using var logged = await ServerProcess.StartCofferAsync(serverDll, folder, logCommands: true);
        using var http = LoadGenerator.CreateClient(logged.BaseAddress, 1);
        var counts = new List<(string, long, long)>();
        foreach (var (who, account) in accounts)
        {
            // The token's first request also loads the account (authentication); settle it so only sync is counted.
            using (var warm = new HttpRequestMessage(HttpMethod.Get, "/api/accounts/revision-date"))
            {
                VaultClient.Authorize(warm, account);
                using var response = await http.SendAsync(warm);
                response.EnsureSuccessStatusCode();
            }

            await Task.Delay(200);
            var before = logged.ExecutedCommands;
            var bytes = await SyncBytesAsync(http, account);
            await Task.Delay(200);
            counts.Add((who, logged.ExecutedCommands - before, bytes.Length));
            Console.WriteLine(Invariant($"{who}: {counts[^1].Item2} SQL commands, {bytes.Length:#,0} bytes"));
        }

        return counts;
    }

    private static async Task<JsonObject> SendAsync(HttpClient http, VaultClient.Account account, HttpMethod method, string path, JsonObject? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        VaultClient.Authorize(request, account);
        using var response = await http.SendAsync(request);
        await EnsureOkAsync(response, $"{method} {path}");
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject();
    }

    private static async Task EnsureOkAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
        }
    }

    private static string RequireString(this JsonNode node, string name) =>
        node[name]?.GetValue<string>() ?? throw new InvalidOperationException($"No {name} in {node.ToJsonString()}");

    private static string Markdown(HttpCommand.Options options, List<(string Who, long Commands, long Bytes)> queries, List<(string What, LoadResult Result)> loads)
    {
        var md = new StringBuilder();
        md.AppendLine("# Sync of a member of 5 organizations");
        md.AppendLine();
        md.AppendLine(Invariant($"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; SQLite; {options.Connections} connections, closed loop, {options.Warmup.TotalSeconds:0} s warm-up + {options.Duration.TotalSeconds:0} s measured per scenario; load generator on the same machine. `Coffer.Bench sync-orgs` (bench/README.md)."));
        md.AppendLine();
        md.AppendLine("## SQL commands per sync");
        md.AppendLine();
        md.AppendLine("| Account | SQL commands | body bytes |");
        md.AppendLine("|---|---:|---:|");
        foreach (var (who, commands, bytes) in queries)
        {
            md.AppendLine(Invariant($"| {who} | {commands} | {bytes:#,0} |"));
        }

        md.AppendLine();
        md.AppendLine(queries[0].Commands == queries[1].Commands
            ? "The member with 3,000 shared items and the one with 10 sync in the same number of SQL commands (issue 11: met). The personal vault's sync needs fewer: an account without a Confirmed membership skips the organization queries."
            : "**The two members' syncs differ in their number of SQL commands (issue 11: MISSED).**");
        md.AppendLine();
        md.AppendLine("## Throughput");
        md.AppendLine();
        md.AppendLine("| Scenario | What | req/s | p50 ms | p99 ms | errors | body bytes |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var (what, load) in loads)
        {
            md.AppendLine(Invariant($"| {load.Name} | {what} | {load.RequestsPerSecond:#,0} | {load.P50Ms:0.00} | {load.P99Ms:0.00} | {load.Errors} | {load.ResponseBytes:#,0} |"));
        }

        var org = loads.Single(l => l.Result.Name == "sync-org-3000").Result;
        var personal = loads.Single(l => l.Result.Name == "sync-personal-3000").Result;
        var statically = loads.Single(l => l.Result.Name == "static-org-3000").Result;
        md.AppendLine();
        md.AppendLine(Invariant($"- static/sync-org-3000 = **{statically.RequestsPerSecond / org.RequestsPerSecond:0.00}×**: how many times more expensive the organization sync is than copying its bytes (the personal sync-3000 target is ≤ 2.0×)."));
        md.AppendLine(Invariant($"- sync-personal-3000/sync-org-3000 = **{personal.RequestsPerSecond / org.RequestsPerSecond:0.00}×**: the cost of 3,000 items reached through 5 organizations and their collections over the same number of personal items."));
        return md.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
