using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Web;
using Coffer.Cli.Storage;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Emergency;
using Coffer.Client.Files;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer emergency …</c> (bitwarden-sharing-features.md §4; issue 14 item 6): trusted contacts who may read or take
/// over your vault after a wait you can cut short or refuse, and the vaults others entrust to you. The grantor's user
/// key is wrapped here for the grantee's public key after the fingerprint check <c>coffer org confirm</c> does, and
/// unwrapped here with the grantee's private key; the server never holds it in clear (§4.4).
/// </summary>
internal static class EmergencyCommands
{
    private static readonly string[] TypeNames = ["view", "takeover"];

    private static readonly string[] StatusNames = ["invited", "accepted", "confirmed", "recovery-initiated", "recovery-approved"];

    public static Command Create(CliRunner run) => new("emergency", "Emergency access: trusted contacts who may view or take over your vault after a wait, and vaults entrusted to you")
    {
        List(run),
        Invite(run),
        Accept(run),
        Confirm(run),
        GranteeAction(run, "initiate", "Ask for access to a vault entrusted to you; the wait time starts and its owner is told", (c, id, ct) => c.InitiateEmergencyAccessAsync(id, ct), "Access requested"),
        GrantorAction(run, "approve", "Give a trusted contact who asked for access to your vault that access now, without the rest of the wait", (c, id, ct) => c.ApproveEmergencyAccessAsync(id, ct), "Approved access for"),
        GrantorAction(run, "reject", "Refuse (or withdraw) a trusted contact's access to your vault; they may ask again later", (c, id, ct) => c.RejectEmergencyAccessAsync(id, ct), "Rejected access for"),
        View(run),
        Takeover(run),
        Remove(run),
    };

    private static Argument<string> GrantArgument() => new("id") { Description = "The grant's id, or the other person's e-mail (see `coffer emergency list`)" };

    private static Command List(CliRunner run)
    {
        var json = new Option<bool>("--json") { Description = "Print {\"trusted\": […], \"granted\": […]} with the server's objects" };
        var command = new Command(
            "list",
            "List trusted contacts (`trusted`: you grant them access) and vaults entrusted to you (`granted`): role, id, e-mail, name, type, status, wait days, tab-separated")
        {
            json,
        };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var trusted = await client.GetTrustedEmergencyContactsAsync(ct);
                var granted = await client.GetGrantedEmergencyAccessAsync(ct);
                if (r.GetValue(json))
                {
                    ctx.Host.Out.WriteLine(new JsonObject
                    {
                        ["trusted"] = System.Text.Json.JsonSerializer.SerializeToNode(trusted, ItemCommands.Json),
                        ["granted"] = System.Text.Json.JsonSerializer.SerializeToNode(granted, ItemCommands.Json),
                    }.ToJsonString(ItemCommands.Json));
                    return;
                }

                foreach (var g in trusted.OrderBy(g => g.Email, StringComparer.OrdinalIgnoreCase))
                {
                    ctx.Host.Out.WriteLine(Line("trusted", g.Id, g.Email, g.Name, g.Type, g.Status, g.WaitTimeDays));
                }

                foreach (var g in granted.OrderBy(g => g.Email, StringComparer.OrdinalIgnoreCase))
                {
                    ctx.Host.Out.WriteLine(Line("granted", g.Id, g.Email, g.Name, g.Type, g.Status, g.WaitTimeDays));
                }
            }
        }));
        return command;
    }

    private static Command Invite(CliRunner run)
    {
        var email = new Argument<string>("email") { Description = "The e-mail of the person to trust (they need a Coffer account)" };
        var type = new Option<string>("--type") { Description = "What they may do once access is granted: view (read your items) or takeover (set a new master password)", DefaultValueFactory = _ => "view" };
        type.AcceptOnlyFromAmong(TypeNames);
        var wait = new Option<int>("--wait") { Description = "Days between their request and automatic access (1–32767), during which you can reject it", DefaultValueFactory = _ => 7 };
        wait.Validators.Add(v =>
        {
            if (v.GetValue(wait) is < 1 or > short.MaxValue)
            {
                v.AddError("--wait must be between 1 and 32767 days.");
            }
        });
        var command = new Command("invite", "Invite a trusted contact; prints the grant's id. Confirm them with `coffer emergency confirm` once they have accepted") { email, type, wait };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var address = AccountEmail.Normalize(r.GetValue(email)!);
            if (address == AccountEmail.Normalize(session.Email))
            {
                throw CliException.Usage("You cannot be your own trusted contact.");
            }

            var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                await client.InviteEmergencyContactAsync(
                    new EmergencyAccessInviteRequestModel { Email = address, Type = Array.IndexOf(TypeNames, r.GetValue(type)), WaitTimeDays = r.GetValue(wait) },
                    ct);
                var grant = (await client.GetTrustedEmergencyContactsAsync(ct)).FirstOrDefault(g => string.Equals(g.Email, address, StringComparison.OrdinalIgnoreCase));
                if (grant is null)
                {
                    ctx.Notice($"Invited {address}.");
                    return;
                }

                ctx.Host.Out.WriteLine(grant.Id);
                ctx.Notice(grant.Status == 1
                    ? $"{address} has an account and has accepted: confirm with `coffer emergency confirm {grant.Id}`."
                    : $"Invited {address}: once they have accepted the invitation, confirm with `coffer emergency confirm {grant.Id}`.");
            }
        }));
        return command;
    }

    private static Command Accept(CliRunner run)
    {
        var link = new Argument<string>("link") { Description = "The invitation link from the e-mail (…#/accept-emergency?id=…&token=…)" };
        var command = new Command("accept", "Accept an invitation to be someone's trusted contact, with the link from their invitation e-mail") { link };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (id, token) = ParseInvitation(r.GetValue(link)!);
            var session = ctx.RequireSession();
            var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                await client.AcceptEmergencyAccessAsync(id, token, ct);
            }

            ctx.Info("Invitation accepted. They now have to confirm you, after comparing your fingerprint phrase (`coffer get fingerprint me`).");
        }));
        return command;
    }

    private static Command Confirm(CliRunner run)
    {
        var grant = GrantArgument();
        var fingerprint = FingerprintCheck.Option("contact");
        var command = new Command(
            "confirm",
            "Give a trusted contact who accepted your key, wrapped for their public key, after checking their fingerprint phrase (asks for \"yes\", or --fingerprint)")
        {
            grant, fingerprint,
        };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var typed = r.GetValue(fingerprint);
            FingerprintCheck.RequireWayToAsk(ctx, typed, "contact");
            using var userKey = ctx.UnlockUserKey(session);
            var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var target = FindTrusted(await client.GetTrustedEmergencyContactsAsync(ct), r.GetValue(grant)!);
                switch (target.Status)
                {
                    case 0:
                        throw new CliException($"{target.Email} has not accepted the invitation yet.");
                    case >= 2:
                        throw new CliException($"{target.Email} is already confirmed.");
                }

                var granteeId = target.GranteeId ?? throw new CliException($"{target.Email} has no account yet.");
                var publicKey = await FingerprintCheck.VerifiedPublicKeyAsync(ctx, session, client, granteeId, PersonCheck.Grantee, target.Email ?? granteeId.ToString(), typed, "confirmed", ct);
                string wrapped;
                try
                {
                    wrapped = EmergencyAccessCrypto.WrapUserKey(userKey, publicKey);
                }
                catch (CryptographicException e)
                {
                    throw new CliException("The contact's public key is not a valid RSA key; not confirmed.", e);
                }

                await client.ConfirmEmergencyAccessAsync(target.Id, wrapped, ct);
                ctx.Info($"Confirmed {target.Email} as a trusted contact ({TypeNames.ElementAtOrDefault(target.Type)}, {Days(target.WaitTimeDays)}).");
            }
        }));
        return command;
    }

    private static Command View(CliRunner run)
    {
        var grant = GrantArgument();
        var item = new Argument<string?>("item") { Description = "Print this item (id, exact name or a unique part of it) instead of the list", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print JSON in bw's item shape (an array without ITEM)" };
        var attachment = new Option<string?>("--attachment") { Description = "Download this attachment of ITEM (id, file name or a unique part of it)" };
        var output = new Option<string?>("--output") { Description = "With --attachment: file or folder to write to (default: the file's name in the current folder; `-` for stdout)" };
        var command = new Command("view", "Read a vault entrusted to you (view access, once granted): its items as id, name, username, tab-separated; read-only")
        {
            grant, item, json, attachment, output,
        };
        command.Validators.Add(v =>
        {
            if (v.GetValue(attachment) is not null && v.GetValue(item) is null)
            {
                v.AddError("--attachment needs ITEM.");
            }
        });
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var target = FindGranted(await client.GetGrantedEmergencyAccessAsync(ct), r.GetValue(grant)!);
                RequireApproved(target, type: 0);
                var answer = await client.ViewEmergencyAccessAsync(target.Id, ct);
                using var privateKey = await OwnPrivateKeyAsync(ctx, client, connected, userKey, ct);
                using var vault = Locally(() => EmergencyAccessCrypto.OpenView(answer, privateKey));
                var items = vault.Items.Where(i => i.Cipher.DeletedDate is null).ToList();
                if (r.GetValue(item) is not { } wanted)
                {
                    var sorted = items.Select(i => i.Item).OrderBy(i => i.Name, StringComparer.OrdinalIgnoreCase).ToList();
                    if (r.GetValue(json))
                    {
                        ctx.Host.Out.WriteLine(new JsonArray([.. sorted.Select(BwItemJson.Item)]).ToJsonString(ItemCommands.Json));
                        return;
                    }

                    foreach (var i in sorted)
                    {
                        ctx.Host.Out.WriteLine($"{i.Id}\t{i.Name}\t{i.Login?.Username}");
                    }

                    return;
                }

                var (cipher, found) = VaultSession.FindItem(items, wanted, "", $"coffer emergency view {target.Id}");
                if (r.GetValue(attachment) is { } name)
                {
                    using var itemKey = AttachmentCrypto.ItemKey(cipher, vault.Keys);
                    await AttachmentCommands.SaveAsync(
                        ctx, client, cipher, found, itemKey, name, r.GetValue(output), id => client.GetEmergencyAccessAttachmentAsync(target.Id, cipher.Id, id, ct), ct);
                    return;
                }

                ctx.Host.Out.WriteLine(BwItemJson.Item(found).ToJsonString(ItemCommands.Json));
            }
        }));
        return command;
    }

    private static Command Takeover(CliRunner run)
    {
        var grant = GrantArgument();
        var newPasswordEnv = new Option<string?>("--new-passwordenv") { Description = "Read the grantor's new master password from this environment variable instead of asking twice" };
        var command = new Command(
            "takeover",
            "Set a new master password for a vault entrusted to you (takeover access, once granted); its owner's sessions end and two-step login is removed")
        {
            grant, newPasswordEnv,
        };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var target = FindGranted(await client.GetGrantedEmergencyAccessAsync(ct), r.GetValue(grant)!);
                RequireApproved(target, type: 1);
                var newPassword = AccountSecurityCommands.ReadNewPassword(ctx, r.GetValue(newPasswordEnv));
                var answer = await client.TakeoverEmergencyAccessAsync(target.Id, ct);
                using var privateKey = await OwnPrivateKeyAsync(ctx, client, connected, userKey, ct);
                var request = Locally(() => EmergencyAccessCrypto.Takeover(answer, privateKey, newPassword, target.Email));
                await client.SetEmergencyAccessPasswordAsync(target.Id, request, ct);
                ctx.Info($"{target.Email} now has the new master password. Their sessions have ended; log in as `coffer login {target.Email}` with it.");
            }
        }));
        return command;
    }

    private static Command Remove(CliRunner run)
    {
        var grant = GrantArgument();
        var command = new Command("rm", "Remove a trusted contact, or give up access to a vault entrusted to you") { grant };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var wanted = r.GetValue(grant)!;
                var trusted = await client.GetTrustedEmergencyContactsAsync(ct);
                var granted = await client.GetGrantedEmergencyAccessAsync(ct);
                var all = trusted.Select(g => (g.Id, g.Email)).Concat(granted.Select(g => (g.Id, g.Email))).ToList();
                var (id, email) = Find(all, wanted, g => g.Id, g => g.Email);
                await client.DeleteEmergencyAccessAsync(id, ct);
                ctx.Info($"Removed emergency access with {email}.");
            }
        }));
        return command;
    }

    private static Command GrantorAction(CliRunner run, string verb, string description, Func<CofferApiClient, Guid, CancellationToken, Task> call, string done) =>
        GrantAction(run, verb, description, (c, ct) => c.GetTrustedEmergencyContactsAsync(ct), FindTrusted, g => g.Id, call, g => $"{done} {g.Email}.");

    private static Command GranteeAction(CliRunner run, string verb, string description, Func<CofferApiClient, Guid, CancellationToken, Task> call, string done) =>
        GrantAction(run, verb, description, (c, ct) => c.GetGrantedEmergencyAccessAsync(ct), FindGranted, g => g.Id, call,
            g => $"{done} to the vault of {g.Email}: access is granted after {Days(g.WaitTimeDays)} unless they reject it.");

    /// <summary>One state change of a grant found among <paramref name="list"/> (the caller's side of it), then a line saying what happened.</summary>
    private static Command GrantAction<T>(
        CliRunner run,
        string verb,
        string description,
        Func<CofferApiClient, CancellationToken, Task<IReadOnlyList<T>>> list,
        Func<IReadOnlyList<T>, string, T> find,
        Func<T, Guid> id,
        Func<CofferApiClient, Guid, CancellationToken, Task> call,
        Func<T, string> done)
    {
        var grant = GrantArgument();
        var command = new Command(verb, description) { grant };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var target = find(await list(client, ct), r.GetValue(grant)!);
                await call(client, id(target), ct);
                ctx.Info(done(target));
            }
        }));
        return command;
    }

    /// <summary>
    /// The grants a key rotation must re-key (<c>emergencyAccessKeyData</c> of the rotation data), each grantee's
    /// public key checked first, as at confirmation: a key the server swapped now would receive the new user key. A
    /// grantee pinned at confirmation must still have that key (else refusal <c>ea-pk-swap</c>, nothing sent); any other
    /// is asked for by its fingerprint phrase at the terminal. The server refuses a rotation that leaves a grant out, so an
    /// unchecked grantee stops the rotation rather than being skipped.
    /// </summary>
    internal static async Task<IReadOnlyList<EmergencyAccessRotation>> RotationTargetsAsync(
        CliContext ctx, SessionState session, CofferApiClient client, IReadOnlyList<object> keyData, CancellationToken ct)
    {
        if (keyData.Count == 0)
        {
            return [];
        }

        var entries = keyData.Select(e => System.Text.Json.JsonSerializer.SerializeToElement(e, CofferJson.Options)).ToList();
        var unpinned = entries.Count(e => !FingerprintCheck.IsPinned(session, e.GetProperty("granteeId").GetGuid()));
        if (unpinned > 0 && ctx.Host.ReadLineFromTerminal is null)
        {
            throw CliException.Usage($"{unpinned} trusted emergency contact(s) get the new key without a checked fingerprint on this device; run this at a terminal to check their fingerprint phrases.");
        }

        var trusted = await client.GetTrustedEmergencyContactsAsync(ct);
        var targets = new List<EmergencyAccessRotation>();
        foreach (var entry in entries)
        {
            var id = entry.GetProperty("id").GetGuid();
            var granteeId = entry.GetProperty("granteeId").GetGuid();
            var email = entry.TryGetProperty("granteeEmail", out var e) ? e.GetString() : null;
            var grant = trusted.FirstOrDefault(g => g.Id == id) ?? throw new CliException($"The server listed an emergency access grant ({id}) that is not among your trusted contacts; nothing was changed.");
            var publicKey = await FingerprintCheck.VerifiedPublicKeyAsync(ctx, session, client, granteeId, PersonCheck.Grantee, email ?? granteeId.ToString(), null, "given the new key", ct);
            if (publicKey != entry.GetProperty("publicKey").GetString())
            {
                throw new CliException($"The server gave two different public keys for {email}; nothing was changed.");
            }

            targets.Add(new EmergencyAccessRotation(id, grant.Type, grant.WaitTimeDays, publicKey));
        }

        return targets;
    }

    /// <summary>The id and token of an invitation link; the token alone never leaves this process except to the server.</summary>
    private static (Guid Id, string Token) ParseInvitation(string link)
    {
        var query = link.Contains('?', StringComparison.Ordinal) ? link[(link.IndexOf('?', StringComparison.Ordinal) + 1)..] : link;
        var values = HttpUtility.ParseQueryString(query);
        return Guid.TryParse(values["id"], out var id) && values["token"] is { Length: > 0 } token
            ? (id, token)
            : throw CliException.Usage("That is not an emergency access invitation link: it needs id=… and token=… (…#/accept-emergency?id=…&token=…).");
    }

    private static EmergencyAccessGranteeDetailsResponseModel FindTrusted(IReadOnlyList<EmergencyAccessGranteeDetailsResponseModel> trusted, string idOrEmail) =>
        Find(trusted, idOrEmail, g => g.Id, g => g.Email);

    private static EmergencyAccessGrantorDetailsResponseModel FindGranted(IReadOnlyList<EmergencyAccessGrantorDetailsResponseModel> granted, string idOrEmail) =>
        Find(granted, idOrEmail, g => g.Id, g => g.Email);

    private static T Find<T>(IReadOnlyList<T> grants, string idOrEmail, Func<T, Guid> id, Func<T, string?> email)
    {
        var matches = Guid.TryParse(idOrEmail, out var wanted)
            ? grants.Where(g => id(g) == wanted).ToList()
            : [.. grants.Where(g => string.Equals(email(g), idOrEmail.Trim(), StringComparison.OrdinalIgnoreCase))];
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw CliException.NotFound($"No emergency access matches '{idOrEmail}'. Run `coffer emergency list` to see them."),
            _ => throw new CliException($"'{idOrEmail}' matches {matches.Count} grants: {string.Join(", ", matches.Select(id))}. Use the id."),
        };
    }

    // The server refuses too (400); saying why here is kinder than its one generic message.
    private static void RequireApproved(EmergencyAccessGrantorDetailsResponseModel grant, int type)
    {
        if (grant.Type != type)
        {
            throw new CliException($"{grant.Email} gave you {TypeNames.ElementAtOrDefault(grant.Type)} access, not {TypeNames[type]}.");
        }

        if (grant.Status != 4)
        {
            throw new CliException(grant.Status == 3
                ? $"Access to the vault of {grant.Email} is requested but not granted yet: wait for their approval or for the {Days(grant.WaitTimeDays)} to pass."
                : $"Access to the vault of {grant.Email} is {Status(grant.Status)}: request it first with `coffer emergency initiate {grant.Id}`.");
        }
    }

    /// <summary>The caller's own RSA private key, from the last sync (pulled now if there is none).</summary>
    private static async Task<RSA> OwnPrivateKeyAsync(CliContext ctx, CofferApiClient client, SessionState session, SymmetricKey userKey, CancellationToken ct)
    {
        if (session.Sync is null)
        {
            session = await VaultSession.PullAsync(ctx, client, session, ct);
        }

        return Locally(() => AccountKeyPair.DecryptPrivateKey(EncString.Parse(session.Sync!.Profile.PrivateKey), userKey));
    }

    private static T Locally<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (CryptographicException e)
        {
            throw new CliException($"The key the server sent does not decrypt with your private key ({e.Message}); nothing was changed.", e);
        }
    }

    private static string Line(string role, Guid id, string? email, string? name, int type, int status, int waitDays) =>
        string.Create(CultureInfo.InvariantCulture, $"{role}\t{id}\t{email}\t{name}\t{TypeNames.ElementAtOrDefault(type) ?? type.ToString(CultureInfo.InvariantCulture)}\t{Status(status)}\t{waitDays}");

    private static string Status(int status) => StatusNames.ElementAtOrDefault(status) ?? status.ToString(CultureInfo.InvariantCulture);

    private static string Days(int days) => days == 1 ? "1 day" : string.Create(CultureInfo.InvariantCulture, $"{days} days");
}
