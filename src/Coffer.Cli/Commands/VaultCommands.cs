using System.CommandLine;
using System.Security.Cryptography;
using Coffer.Client.Integrity;
using Coffer.Client.Vault;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer vault review</c> and <c>coffer vault upgrade-items</c>: the user's side of the vault integrity checks
/// (malicious-server.md BW04, BW05, BW10, §3.13).
/// </summary>
internal static class VaultCommands
{
    public static Command Create(CliRunner run) => new("vault", "Integrity of the vault against a dishonest server")
    {
        Review(run),
        UpgradeItems(run),
    };

    /// <summary>
    /// Lists the items the last sync held back and asks, one by one, whether to accept the server's version of each
    /// quarantined one. Refused items cannot be accepted. Without a terminal every answer is no.
    /// </summary>
    private static Command Review(CliRunner run)
    {
        var command = new Command("review", "Show the items held back by integrity checks and accept the server's version of a quarantined one (asks; no terminal means no)");
        command.SetAction(r => run.Sync(r, ctx =>
        {
            var session = ctx.RequireSession();
            if (session.Withheld.Count == 0)
            {
                ctx.Info("No items are held back.");
                return;
            }

            using var userKey = ctx.UnlockUserKey(session);
            using var keys = VaultSession.Keys(session, userKey);
            var pins = VaultSession.LoadPins(ctx, session);
            var accepted = new List<Storage.WithheldCipher>();
            foreach (var held in session.Withheld)
            {
                var id = held.Cipher.Id;
                ctx.Host.Out.WriteLine($"{id}\t{held.Code}\t{NameOf(held, keys)}");
                ctx.Host.Out.WriteLine("  " + held.Message);
                if (held.Kind == FindingKind.Refuse)
                {
                    ctx.Host.Out.WriteLine("  Refused: no client makes this change, so it cannot be accepted. Restore the item from a client or export you trust.");
                    continue;
                }

                var answer = ctx.Host.ReadLineFromTerminal?.Invoke($"Accept the server's version of item {id}? [y/N] ")?.Trim();
                if (answer is not null && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase)))
                {
                    VaultIntegrity.AcceptItem(pins, held.Cipher);
                    accepted.Add(held);
                    ctx.Host.Out.WriteLine("  Accepted.");
                }
                else
                {
                    ctx.Host.Out.WriteLine("  Kept hidden.");
                }
            }

            if (accepted.Count > 0 && session.Sync is { } sync)
            {
                ctx.SavePins(pins);
                ctx.SaveSession(session with
                {
                    Sync = sync with { Ciphers = [.. sync.Ciphers, .. accepted.Select(a => a.Cipher)] },
                    Withheld = [.. session.Withheld.Except(accepted)],
                });
            }
        }));
        return command;
    }

    /// <summary>
    /// Re-keys every legacy item (no <c>key</c>) the user can edit: a fresh item key, every field re-encrypted under it
    /// (malicious-server.md BW05 defence 1). Items in the trash, read-only items and ones that cannot be re-keyed are
    /// listed and left as they are.
    /// </summary>
    private static Command UpgradeItems(CliRunner run)
    {
        var command = new Command("upgrade-items", "Give every item without its own encryption key one (re-encrypting it), so the server cannot mix items");
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            using var keys = VaultSession.Keys(session, userKey);
            var legacy = VaultSession.Decrypted(session, keys).Where(c => string.IsNullOrEmpty(c.Cipher.Key)).ToList();
            if (legacy.Count == 0)
            {
                ctx.Info("Every item already has its own key.");
                return;
            }

            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var upgraded = 0;
                foreach (var (cipher, item) in legacy)
                {
                    var (sent, skip) = Rekey(cipher, item, keys);
                    if (sent is null)
                    {
                        ctx.Notice($"Skipped '{item.Name}' ({cipher.Id}): {skip}.");
                        continue;
                    }

                    VaultSession.RecordWrite(ctx, connected, sent, await client.UpdateCipherAsync(cipher.Id, sent, ct));
                    upgraded++;
                }

                await VaultSession.PullAsync(ctx, client, connected, ct);
                ctx.Info($"Gave {upgraded} item(s) their own key.");
            }
        }));
        return command;
    }

    // The re-keyed request, or why this item is left as it is.
    private static (Protocol.Api.CipherRequestModel? Request, string? Skip) Rekey(Protocol.Api.CipherDetailsResponseModel cipher, VaultItem item, VaultKeys keys)
    {
        if (cipher.DeletedDate is not null)
        {
            return (null, "it is in the trash");
        }

        if (!cipher.Edit || !cipher.ViewPassword)
        {
            return (null, "your access to it is read-only or hides its password");
        }

        try
        {
            return (VaultCrypto.Encrypt(item, keys.For(cipher.OrganizationId), cipher), null);
        }
        catch (Exception e) when (e is InvalidOperationException or CryptographicException)
        {
            return (null, e.Message.TrimEnd('.'));
        }
    }

    private static string NameOf(Storage.WithheldCipher held, VaultKeys keys)
    {
        try
        {
            return VaultCrypto.Decrypt(held.Cipher, keys).Name;
        }
        catch (Exception e) when (e is CryptographicException or KeyNotFoundException or FormatException)
        {
            return "(does not decrypt)";
        }
    }
}
