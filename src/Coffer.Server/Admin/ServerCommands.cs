using System.CommandLine;
using System.Globalization;
using Coffer.Server.Accounts;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Files;
using Coffer.Server.Hosting;
using Coffer.Server.Identity;
using Coffer.Server.Mail;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Admin;

/// <summary>
/// <c>coffer-server admin create|list|revoke</c>, <c>coffer-server audit verify [--checkpoint FILE]</c> and
/// <c>coffer-server backup|restore</c> (<see cref="Backup"/>), <c>coffer-server org-creation [everyone|admins]</c>,
/// <c>coffer-server smtp test ADDRESS</c> (sends a test message now, through <c>Coffer:Smtp</c>): run against the same
/// configuration and database as the server (data folder, <c>Coffer__*</c> variables) without starting Kestrel.
/// The first admin comes from here, from someone with a shell on the server, never from a default password.
/// Exit codes: 0 success (audit intact), 1 failure (audit broken), 2 usage or configuration error.
/// </summary>
public static class ServerCommands
{
    public static bool IsCommand(string[] args) => args is ["admin" or "audit" or "backup" or "restore" or "org-creation" or "smtp", ..];

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("coffer-server: the Coffer server; with a command, runs it against the server's database and exits")
        {
            new Command("admin", "Manage admins")
            {
                WithEmail("create", "Make an existing, registered account an admin", Create),
                Build("list", "List the admins", List),
                WithEmail("revoke", "Take the admin role from an account", Revoke),
            },
            new Command("audit", "Audit log")
            {
                VerifyCommand(),
            },
            BackupCommand(),
            RestoreCommand(),
            OrganizationCreationCommand(),
            new Command("smtp", "Outgoing mail (Coffer:Smtp)")
            {
                SmtpTestCommand(),
            },
        };
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                await Console.Error.WriteLineAsync("Error: " + error.Message);
            }

            return 2;
        }

        return await result.InvokeAsync();
    }

    private static Command Build(string name, string description, Func<IServiceProvider, Task<int>> body)
    {
        var command = new Command(name, description);
        command.SetAction((_, _) => WithServices(body));
        return command;
    }

    private static Command WithEmail(string name, string description, Func<IServiceProvider, string, Task<int>> body)
    {
        var email = new Argument<string>("email") { Description = "The account's e-mail address" };
        var command = new Command(name, description) { email };
        command.SetAction((r, _) => WithServices(services => body(services, r.GetValue(email)!)));
        return command;
    }

    private static Command VerifyCommand()
    {
        var file = new Option<string?>("--checkpoint") { Description = "A checkpoint file (Coffer:Audit:CheckpointFile): prove that nothing its last checkpoint recorded went missing or changed" };
        var command = new Command("verify", "Check every audit chain and the checkpoints, then write a checkpoint; exit code 0 when intact, 1 when broken") { file };
        command.SetAction((r, _) => WithServices(services => Verify(services, r.GetValue(file))));
        return command;
    }

    private static Command BackupCommand()
    {
        var output = new Option<string>("--output", "-o") { Description = "The backup file to write", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace FILE (and KEYFILE) if it exists" };
        var keyOutput = new Option<string?>("--key-output") { Description = "Also copy the data folder's signing key to KEYFILE (0600); store it apart from the backups" };
        var command = new Command("backup", "Write a verified, consistent copy of the database (online: the server may run)") { output, force, keyOutput };
        command.SetAction((r, _) => WithOptions(options => Backup.Create(options, r.GetValue(output)!, r.GetValue(force), r.GetValue(keyOutput))));
        return command;
    }

    private static Command RestoreCommand()
    {
        var input = new Option<string>("--input", "-i") { Description = "The backup file to restore", Required = true };
        var key = new Option<string?>("--key") { Description = "The signing key file saved with backup --key-output, put back into the data folder" };
        var command = new Command("restore", "Verify a backup and restore it into an empty data folder, or an empty PostgreSQL or MySQL database (Coffer__Database)") { input, key };
        command.SetAction((r, _) => WithOptions(options => Backup.Restore(options, r.GetValue(input)!, r.GetValue(key))));
        return command;
    }

    private static Command OrganizationCreationCommand()
    {
        var value = new Argument<string?>("who") { Description = "everyone or admins; without it, prints the current setting", Arity = ArgumentArity.ZeroOrOne };
        value.AcceptOnlyFromAmong(OrganizationCreation.Everyone, OrganizationCreation.Admins);
        var command = new Command("org-creation", "Who may create organizations: everyone (default) or the server's admins") { value };
        command.SetAction((r, _) => WithServices(services => SetOrganizationCreation(services, r.GetValue(value))));
        return command;
    }

    private static Command SmtpTestCommand()
    {
        var to = new Argument<string>("address") { Description = "Where to send the test message" };
        var command = new Command("test", "Send a test message now through the configured SMTP server; exit code 0 when it took the message, 1 when not (the reason is printed)") { to };
        command.SetAction((r, ct) => SmtpTest(r.GetValue(to)!, ct));
        return command;
    }

    private static async Task<int> SmtpTest(string to, CancellationToken ct)
    {
        using var host = CreateBuilder().Build();
        ServerOptions options;
        try
        {
            options = host.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync("Configuration error: " + string.Join(" ", e.Failures));
            return 2;
        }

        var smtp = options.Smtp;
        if (!smtp.Enabled)
        {
            await Console.Error.WriteLineAsync("Mail is off: set Coffer:Smtp:Host and Coffer:Smtp:From (Coffer__Smtp__Host, Coffer__Smtp__From).");
            return 2;
        }

        if (RegistrationEndpoints.NormalizeEmail(to) is not { } address)
        {
            await Console.Error.WriteLineAsync($"'{to}' is not an e-mail address.");
            return 2;
        }

        var server = $"{smtp.Host}:{smtp.EffectivePort} ({smtp.Security})";
        if (await MailSender.SendTestAsync(smtp, address, options.PublicUrl?.TrimEnd('/'), ct) is { } error)
        {
            await Console.Error.WriteLineAsync($"The test message to {address} was not sent through {server}: {error}");
            return 1;
        }

        Console.WriteLine($"The mail server {server} took the test message to {address}.");
        return 0;
    }

    private static async Task<int> SetOrganizationCreation(IServiceProvider services, string? value)
    {
        var db = services.GetRequiredService<CofferDb>();
        if (value is null)
        {
            Console.WriteLine(await OrganizationCreation.GetAsync(db));
            return 0;
        }

        var changes = services.GetRequiredService<Changes>();
        var before = await OrganizationCreation.SetAsync(db, value);
        changes.Record(EventType.AdminChangedOrganizationCreation, null, detail: $"{before} -> {value} (server console)");
        await changes.CommitAsync();
        Console.WriteLine(value == OrganizationCreation.Admins
            ? "Only the server's admins may create organizations now."
            : "Every user may create organizations now.");
        return 0;
    }

    /// <summary>The server's validated options alone: backup and restore must not migrate (or create) a database.</summary>
    private static async Task<int> WithOptions(Func<ServerOptions, int> body)
    {
        using var host = CreateBuilder().Build();
        try
        {
            return body(host.Services.GetRequiredService<IOptions<ServerOptions>>().Value);
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync("Configuration error: " + string.Join(" ", e.Failures));
            return 2;
        }
    }

    private static HostApplicationBuilder CreateBuilder()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOptions<ServerOptions>().Bind(builder.Configuration.GetSection(ServerOptions.Section));
        builder.Services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        return builder;
    }

    /// <summary>The server's options, database and audit chain, migrated, without the web host.</summary>
    private static async Task<int> WithServices(Func<IServiceProvider, Task<int>> body)
    {
        var builder = CreateBuilder();
        builder.Services.AddSingleton<TimeProvider>(StorageClock.Default);
        builder.Services.AddCofferDatabase(builder.Configuration);
        builder.Services.AddSingleton<TokenService>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<CommitLocks>();
        builder.Services.AddAuditLog();
        builder.Services.AddSingleton<SqliteGroupCommit>();
        builder.Services.AddScoped<Changes>();
        builder.Services.AddBlobStorage();
        builder.Services.AddCofferMetrics();
        using var host = builder.Build();
        try
        {
            _ = host.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync("Configuration error: " + string.Join(" ", e.Failures));
            return 2;
        }

        await host.Services.MigrateCofferDatabaseAsync();
        await using var scope = host.Services.CreateAsyncScope();
        return await body(scope.ServiceProvider);
    }

    private static async Task<int> Create(IServiceProvider services, string email)
    {
        var db = services.GetRequiredService<CofferDb>();
        if (await FindAsync(db, email) is not { } user)
        {
            return await NoAccount(email);
        }

        if (user.IsAdmin)
        {
            Console.WriteLine($"{user.Email} is already an admin.");
            return 0;
        }

        var changes = services.GetRequiredService<Changes>();
        user.IsAdmin = true;
        user.RevisionDate = changes.Now;
        changes.Record(EventType.AdminCreated, user.Id, detail: "server console");
        await changes.CommitAsync();
        Console.WriteLine($"{user.Email} is now an admin. Sign in at /admin with this account.");
        if (user.TotpSecret is null && services.GetRequiredService<IOptions<ServerOptions>>().Value.Admin.RequireTwoFactor)
        {
            Console.WriteLine("Admin actions need two-step login on the account: turn it on in the web vault's settings first (or set Coffer:Admin:RequireTwoFactor=false).");
        }

        return 0;
    }

    private static async Task<int> List(IServiceProvider services)
    {
        var db = services.GetRequiredService<CofferDb>();
        var admins = await db.Users.AsNoTracking().Where(u => u.IsAdmin).OrderBy(u => u.Email).ToListAsync();
        if (admins.Count == 0)
        {
            Console.WriteLine("No admins. Make one with: coffer-server admin create EMAIL");
        }

        foreach (var admin in admins)
        {
            Console.WriteLine($"{admin.Email}\t{admin.Id}{(admin.Disabled ? "\tdisabled" : "")}");
        }

        return 0;
    }

    private static async Task<int> Revoke(IServiceProvider services, string email)
    {
        var db = services.GetRequiredService<CofferDb>();
        if (await FindAsync(db, email) is not { } user)
        {
            return await NoAccount(email);
        }

        if (!user.IsAdmin)
        {
            await Console.Error.WriteLineAsync($"{user.Email} is not an admin.");
            return 1;
        }

        var changes = services.GetRequiredService<Changes>();
        user.IsAdmin = false;
        user.RevisionDate = changes.Now;
        changes.Record(EventType.AdminRevoked, user.Id, detail: "server console");
        await changes.CommitAsync();
        Console.WriteLine($"{user.Email} is no longer an admin.");
        return 0;
    }

    /// <summary>
    /// <c>audit verify [--checkpoint FILE]</c>: verifies, and only once everything verified writes a checkpoint over the
    /// heads it verified (so a checkpoint never blesses a loss). FILE's last line is the checkpoint checked against.
    /// </summary>
    private static async Task<int> Verify(IServiceProvider services, string? file)
    {
        CheckpointRecord? exported = null;
        if (file is not null)
        {
            string? line;
            try
            {
                line = File.ReadLines(file).LastOrDefault(l => l.Trim().Length > 0);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"The checkpoint file {file} cannot be read: {e.Message}");
                return 2;
            }

            if (line is null || AuditCheckpoints.Parse(line) is not { } record)
            {
                await Console.Error.WriteLineAsync($"The checkpoint file {file} holds no checkpoint (one JSON line per checkpoint, as Coffer:Audit:CheckpointFile writes them).");
                return 2;
            }

            exported = record;
        }

        var db = services.GetRequiredService<CofferDb>();
        var checkpoints = services.GetRequiredService<AuditCheckpoints>();
        var heads = new List<AuditCheckpointHead>();
        var result = await AuditVerifier.VerifyAsync(db, services.GetRequiredService<AuditChain>(), checkpoints, exported, heads, default);
        var against = result.Checkpoint is { } n ? $" against checkpoint {n}" : "";
        if (result.FirstBroken is { } broken)
        {
            var at = broken.EventId is { } id ? $"sequence {id}" : "a missing or unreadable event";
            var position = broken.Position?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
            Console.WriteLine($"Checked {result.Checked} events in {result.Chains} chains{against}: broken at {at} (chain {broken.Chain}, position {position}): {broken.Reason}.");
            return 1;
        }

        Console.WriteLine($"Checked {result.Checked} events in {result.Chains} chains{against}: intact.");
        var (written, refusal) = await checkpoints.WriteAsync(db, heads, default);
        if (refusal is not null)
        {
            Console.WriteLine($"No checkpoint written: {refusal}.");
            return 1;
        }

        Console.WriteLine(written is null
            ? "No new checkpoint: no chain moved since the last one (or another process wrote it at the same moment)."
            : $"Wrote checkpoint {written.Number}: {written.ChainCount} chains, {written.EventCount} events, root {written.Root}, hash {written.Hash}.");
        return 0;
    }

    private static async Task<User?> FindAsync(CofferDb db, string email)
    {
        var normalized = RegistrationEndpoints.NormalizeEmail(email);
        return normalized is null ? null : await db.Users.SingleOrDefaultAsync(u => u.Email == normalized);
    }

    private static async Task<int> NoAccount(string email)
    {
        await Console.Error.WriteLineAsync($"No account is registered with '{email}'. Register it first (e.g. coffer register {email}), then run this again.");
        return 1;
    }
}
