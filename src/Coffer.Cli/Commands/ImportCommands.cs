using System.CommandLine;
using Coffer.Client.Exchange;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer import FORMAT FILE</c>: the file is read on this machine, encrypted under the user key and sent
/// through <c>POST /api/ciphers/import</c> in bounded batches (protocol §4.14). The file is read twice: once to
/// find bad rows and the folders it needs (nothing is sent while a bad row remains, unless
/// <c>--skip-bad-rows</c>), and once to encrypt and send it batch by batch, so memory stays bounded whatever the size.
/// </summary>
internal static class ImportCommands
{
    private const int ProblemsShown = 20;

    public static Command Create(CliRunner run)
    {
        var format = new Argument<string?>("format") { Description = "The file's format (see --formats)", Arity = ArgumentArity.ZeroOrOne };
        format.AcceptOnlyFromAmong([.. ImportFormats.Names]);
        var file = new Argument<string?>("file") { Description = "The file to import", Arity = ArgumentArity.ZeroOrOne };
        var formats = new Option<bool>("--formats") { Description = "List the formats this command reads" };
        var skipBad = new Option<bool>("--skip-bad-rows") { Description = "Import the readable rows even when some rows are malformed" };
        var noSync = new Option<bool>("--no-sync") { Description = "Do not download the vault again afterwards (for very large imports; run `coffer sync` later)" };
        var passwordEnv = ExportCommands.FilePasswordEnvOption();
        var command = new Command("import", "Import items from another password manager's export (or a Bitwarden export)")
        {
            format, file, formats, skipBad, noSync, passwordEnv,
        };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            if (r.GetValue(formats))
            {
                foreach (var name in ImportFormats.Names)
                {
                    ctx.Host.Out.WriteLine(name);
                }

                return;
            }

            var formatName = r.GetValue(format) ?? throw new CliException("Give the format and the file: coffer import FORMAT FILE (coffer import --formats lists the formats).");
            var path = r.GetValue(file) ?? throw new CliException("Give the file to import: coffer import FORMAT FILE.");
            string? filePassword = null;
            string FilePassword() => filePassword ??= ExportCommands.ReadFilePassword(ctx, r.GetValue(passwordEnv), confirm: false);

            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);

            // Pass 1: every row is read and checked; only counts, folder paths and the first problems are kept.
            var total = 0;
            var badRows = 0;
            var problems = new List<ImportRow>();
            var folderPaths = new HashSet<string>(StringComparer.Ordinal);
            foreach (var row in Rows(path, formatName, FilePassword))
            {
                if (row.Error is not null)
                {
                    badRows++;
                    if (problems.Count < ProblemsShown)
                    {
                        problems.Add(row);
                    }

                    continue;
                }

                total++;
                if (row.Folder is { } folder)
                {
                    folderPaths.Add(folder);
                }
            }

            foreach (var problem in problems)
            {
                await ctx.Host.Error.WriteLineAsync($"{path}: {problem.Where}: {problem.Error}");
            }

            if (badRows > ProblemsShown)
            {
                await ctx.Host.Error.WriteLineAsync($"{path}: … and {badRows - ProblemsShown} more bad rows.");
            }

            if (badRows > 0 && !r.GetValue(skipBad))
            {
                throw new CliException($"{badRows} bad row(s) in {path}; nothing was imported. Fix them, or pass --skip-bad-rows to import the other {total}.");
            }

            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                // Folders first, so every batch names them by id: the same folder is never created twice, and a
                // folder the vault already has (by name) is reused rather than duplicated.
                connected = await VaultSession.PullAsync(ctx, client, connected, ct);
                var folderIds = VaultSession.Folders(connected, userKey)
                    .GroupBy(f => f.Name, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
                var created = 0;
                foreach (var folderPath in folderPaths.Where(p => !folderIds.ContainsKey(p)))
                {
                    var folder = await client.CreateFolderAsync(Client.Vault.VaultCrypto.EncryptName(folderPath, userKey), ct);
                    folderIds[folderPath] = folder.Id;
                    created++;
                }

                // Pass 2: encrypt and send batch by batch.
                var good = Rows(path, formatName, FilePassword).Where(row => row.Error is null);
                var sent = await CliProgress.BarAsync(ctx, "Importing", total, async progress =>
                {
                    var done = 0;
                    foreach (var (request, count) in ImportBatches.Create(good, folderIds, userKey))
                    {
                        await client.ImportCiphersAsync(request, ct);
                        done += count;
                        progress.Report(done);
                    }

                    return done;
                });
                if (r.GetValue(noSync))
                {
                    await ctx.Host.Error.WriteLineAsync("The local copy of the vault was not refreshed; run `coffer sync` before reading it.");
                }
                else
                {
                    await VaultSession.PullAsync(ctx, client, connected, ct);
                }

                ctx.Host.Out.WriteLine($"Imported {sent} items ({created} new folders{(badRows > 0 ? $", {badRows} bad rows skipped" : "")}).");
            }
        }));
        return command;
    }

    private static IEnumerable<ImportRow> Rows(string path, string format, Func<string> filePassword)
    {
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read '{path}': {e.Message}", e);
        }

        using (stream)
        {
            using var rows = ImportFormats.Read(format, stream, filePassword).GetEnumerator();
            while (true)
            {
                try
                {
                    if (!rows.MoveNext())
                    {
                        yield break;
                    }
                }
                catch (ImportFileException e)
                {
                    throw new CliException($"{path}: {e.Message} Nothing was imported.", e);
                }

                yield return rows.Current;
            }
        }
    }
}
