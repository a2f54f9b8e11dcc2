using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Cli.Storage;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Integrity;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer org …</c> (issue 11 point 10): organizations and their members. Organization keys are made, wrapped and
/// unwrapped here, never on the server (bitwarden-organizations.md §2); confirming a member shows the fingerprint
/// phrase of the public key the server returned, so a swapped key can be caught (malicious-server.md §2.3, §3.13).
/// </summary>
internal static class OrgCommands
{
    public static Command Create(CliRunner run)
    {
        var org = new Command("org", "Organizations: create, members, confirm, access report, events")
        {
            CreateOrg(run),
            List(run),
            Accept(run),
            Trust(run),
            Fingerprint(run),
            Delete(run),
            Leave(run),
            Invite(run),
            Members(run),
            Confirm(run),
            MemberAction(run, "revoke", "Revoke a member: they keep their account but lose access until restored", (c, o, m, ct) => c.RevokeMemberAsync(o, m, ct), "Revoked"),
            MemberAction(run, "restore", "Restore a revoked member", (c, o, m, ct) => c.RestoreMemberAsync(o, m, ct), "Restored"),
            MemberAction(run, "remove", "Remove a member from the organization (its items stay)", (c, o, m, ct) => c.RemoveMemberAsync(o, m, ct), "Removed"),
            SetAccess(run),
            OrgAccessReport.Create(run),
            Events(run),
        };
        return org;
    }

    /// <summary><c>coffer share ITEM ORG --collection NAME…</c>: move a personal item into an organization (§2.6).</summary>
    public static Command Share(CliRunner run)
    {
        var item = new Argument<string>("item") { Description = "Item name or id (a personal item)" };
        var orgArg = OrgArgument();
        var collections = new Option<string[]>("--collection") { Description = "Collection to share it into (name or id); repeat for several", Required = true };
        var command = new Command("share", "Move a personal item into an organization's collections (re-encrypted under the organization key)") { item, orgArg, collections };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            using var keys = VaultSession.Keys(session, userKey);
            var organization = OrgSession.FindOrganization(session, r.GetValue(orgArg)!);
            var (cipher, view) = VaultSession.FindItem(session, keys, r.GetValue(item)!, inTrash: false);
            if (view.OrganizationId is not null)
            {
                throw new CliException($"'{view.Name}' already belongs to an organization.");
            }

            var orgKey = keys.Organization(organization.Id);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var known = await OrgSession.CollectionsAsync(client, organization.Id, orgKey, ct);
                var collectionIds = r.GetValue(collections)!.Select(c => OrgSession.FindCollection(known, c).Id).Distinct().ToList();
                CipherRequestModel request;
                try
                {
                    request = VaultCrypto.EncryptForShare(view, cipher, orgKey, organization.Id);
                }
                catch (InvalidOperationException e)
                {
                    throw new CliException(e.Message, e);
                }

                request.EncryptedFor = connected.Sync?.Profile.Id.ToString();
                VaultSession.RecordWrite(ctx, connected, request, await client.ShareCipherAsync(cipher.Id, request, collectionIds, ct));
                await VaultSession.PullAsync(ctx, client, connected, ct);
            }

            ctx.Info($"Shared '{view.Name}' with {organization.Name}.");
        }));
        return command;
    }

    internal static Argument<string> OrgArgument() => new("org") { Description = "Organization name or id" };

    private static Argument<string> MemberArgument() => new("email") { Description = "Member e-mail, name, member id or user id" };

    private static Option<string> TypeOption(bool required) => new Option<string>("--type")
    {
        Description = "Membership type: user, admin, owner or custom",
        Required = required,
    }.AcceptOnlyFromAmong(OrgSession.TypeNames);

    private static Option<string[]> AccessOption() => new("--collection")
    {
        Description = "Collection access NAME[:read-only|:hide-passwords|:manage] (default: can edit); repeat for several",
    };

    private static Command CreateOrg(CliRunner run)
    {
        var name = new Argument<string>("name");
        var billingEmail = new Option<string?>("--billing-email") { Description = "Billing e-mail kept for the clients (default: yours)" };
        var command = new Command("create", "Create an organization you own; prints its id") { name, billingEmail };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                if (connected.Sync is null)
                {
                    connected = await VaultSession.PullAsync(ctx, client, connected, ct);
                }

                // The creator's own public key is taken from the private key we decrypt, not from what the server says.
                string ownPublicKey;
                using (var privateKey = AccountKeyPair.DecryptPrivateKey(EncString.Parse(connected.Sync!.Profile.PrivateKey), userKey))
                {
                    ownPublicKey = Convert.ToBase64String(privateKey.ExportSubjectPublicKeyInfo());
                }

                var keys = OrganizationKeys.Create(ownPublicKey);
                using var orgKey = keys.OrgKey;
                var created = await client.CreateOrganizationAsync(
                    new OrganizationCreateRequestModel
                    {
                        Name = r.GetValue(name),
                        BillingEmail = r.GetValue(billingEmail) ?? connected.Email,
                        Key = keys.WrappedForCreator,
                        Keys = new OrganizationKeysRequestModel { PublicKey = keys.PublicKey, EncryptedPrivateKey = keys.EncryptedPrivateKey },
                    },
                    ct);

                // Pinned from memory before the first sync, so a key the server swaps in there is caught (BW09).
                ctx.Host.Out.WriteLine(created.Id);
                connected.TrustPins!.Update(pins => pins.Organizations[created.Id] = new OrganizationPin(
                    OrganizationOrigin.CreatedHere, orgKey.KeyId, OrganizationTrust.PublicKeyDigest(keys.PublicKey), ctx.Host.Time.GetUtcNow()));
                connected = await VaultSession.PullAsync(ctx, client, connected, ct);
                VaultSession.Keys(connected, userKey).Dispose();
            }
        }));
        return command;
    }

    private static Command List(CliRunner run)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array in bw's organization shape" };
        var command = new Command("list", "List your organizations: id, name, your type, tab-separated") { json };
        command.SetAction(r => run.Sync(r, ctx =>
        {
            var session = ctx.RequireSession();
            var orgs = (session.Sync?.Profile.Organizations ?? []).OrderBy(o => o.Name, StringComparer.OrdinalIgnoreCase).ToList();
            if (r.GetValue(json))
            {
                ctx.Host.Out.WriteLine(new JsonArray([.. orgs.Select(o => new JsonObject
                {
                    ["object"] = "organization",
                    ["id"] = o.Id.ToString(),
                    ["name"] = o.Name,
                    ["status"] = o.Status,
                    ["type"] = o.Type,
                    ["enabled"] = o.Enabled,
                    ["trust"] = TrustName(session, o.Id),
                })]).ToJsonString(ItemCommands.Json));
                return;
            }

            // Quarantined and disabled organizations are listed (so they can be trusted), marked in a fourth column.
            foreach (var o in orgs)
            {
                var state = OrganizationGuard.State(session, o.Id);
                ctx.Host.Out.WriteLine($"{o.Id}\t{o.Name}\t{OrgSession.TypeName(o.Type)}"
                    + (state == OrganizationTrustState.Trusted ? "" : "\t" + TrustName(session, o.Id)));
            }
        }));
        return command;
    }

    /// <summary>
    /// <c>coffer org accept LINK</c>: accepts an invitation with the link an owner passed on, and pins the organization as
    /// <c>accepted-here</c> (BW08): its key is taken on first sight once an owner confirms you. Never enrols in account
    /// recovery: the request's <c>resetPasswordKey</c> is null, whatever policy the server reports (BW01).
    /// </summary>
    private static Command Accept(CliRunner run)
    {
        var link = new Argument<string>("link") { Description = "The invitation link (…#/accept-organization/?…organizationId=…&organizationUserId=…&token=…)" };
        var command = new Command("accept", "Accept an invitation to an organization with its link; an owner then confirms you") { link };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var (organizationId, memberId, token, name) = ParseInvitation(r.GetValue(link)!);
            var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                await client.AcceptInvitationAsync(organizationId, memberId, token, ct);
            }

            session.TrustPins!.Update(pins => pins.Organizations[organizationId] = new OrganizationPin(
                OrganizationOrigin.AcceptedHere, KeyId: null, PublicKeySha256: null, ctx.Host.Time.GetUtcNow()));
            ctx.Info($"Invitation to {name ?? organizationId.ToString()} accepted. An owner now has to confirm you, after comparing your fingerprint phrase (`coffer get fingerprint me`).");
        }));
        return command;
    }

    /// <summary>
    /// <c>coffer org trust ORG</c> (BW08): the one-time question for an organization this device never saw the user join
    /// (or one disabled after its keys changed). Shows its fingerprint phrase; a typed "yes" at the terminal, or a
    /// matching <c>--fingerprint</c>, pins it as <c>confirmed-by-user-prompt</c> with its key id and public key. Without a
    /// terminal the answer is no.
    /// </summary>
    private static Command Trust(CliRunner run)
    {
        var orgArg = OrgArgument();
        var fingerprint = new Option<string?>("--fingerprint") { Description = "The organization's fingerprint phrase as an owner read it to you (`coffer org fingerprint ORG` on their side)" };
        var command = new Command("trust", "Start using an organization this device never saw you join, after checking its fingerprint phrase (asks for \"yes\", or --fingerprint)")
        {
            orgArg, fingerprint,
        };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var cached = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(cached);
            var (client, session) = await ctx.ConnectAsync(cached, forceRefresh: false, ct);
            using (client)
            {
                session = await VaultSession.PullAsync(ctx, client, session, ct);
                var organization = OrgSession.FindAmong(session.Sync?.Profile.Organizations ?? [], r.GetValue(orgArg)!);
                var state = OrganizationGuard.State(session, organization.Id);
                if (state == OrganizationTrustState.Trusted)
                {
                    ctx.Info($"'{organization.Name}' is already trusted on this device ({session.TrustPins!.Current.Organizations[organization.Id].Origin}).");
                    return;
                }

                var publicKey = await client.GetOrganizationPublicKeyAsync(organization.Id, ct);
                string phrase;
                try
                {
                    phrase = OrganizationTrust.Fingerprint(organization.Id, publicKey);
                }
                catch (FormatException e)
                {
                    throw new CliException($"The server sent a public key for '{organization.Name}' that is not Base64; it stays {TrustName(session, organization.Id)}.", e);
                }

                if (state == OrganizationTrustState.Disabled)
                {
                    ctx.Host.Error.WriteLine($"The server replaced the keys of '{organization.Name}'. Trust the new ones only if an owner tells you they really changed.");
                }

                ctx.Host.Error.WriteLine($"You are now listed as a member of '{organization.Name}' (fingerprint: {phrase}). Did you accept an invitation to it, perhaps from another app?");
                var typed = r.GetValue(fingerprint);
                if (typed is not null)
                {
                    if (!FingerprintPhrase.Matches(phrase, typed))
                    {
                        throw new CliException($"The fingerprint phrase does not match; '{organization.Name}' stays {TrustName(session, organization.Id)}. Check the phrase with an owner again, over a channel the server does not carry.");
                    }
                }
                else
                {
                    ctx.Host.Error.WriteLine($"Ask one of its owners to read the phrase `coffer org fingerprint {organization.Id}` shows them (or the web vault's), in person or by phone.");
                    var answer = ctx.Host.ReadLineFromTerminal?.Invoke("Type yes if you did and it is the same phrase: ");
                    if (!string.Equals(answer?.Trim(), "yes", StringComparison.Ordinal))
                    {
                        throw new CliException($"'{organization.Name}' stays {TrustName(session, organization.Id)}: its items, collections and policies are not used."
                            + (ctx.Host.ReadLineFromTerminal is null ? " Without a terminal, pass --fingerprint \"PHRASE\"." : ""));
                    }
                }

                string keyId;
                try
                {
                    using var privateKey = AccountKeyPair.DecryptPrivateKey(EncString.Parse(session.Sync!.Profile.PrivateKey), userKey);
                    using var orgKey = OrganizationKeys.Unwrap(organization.Key, privateKey);
                    keyId = orgKey.KeyId;
                }
                catch (CryptographicException e)
                {
                    throw new CliException($"The key of '{organization.Name}' does not decrypt with your private key; it stays {TrustName(session, organization.Id)}.", e);
                }

                session.TrustPins!.Update(pins => pins.Organizations[organization.Id] = new OrganizationPin(
                    OrganizationOrigin.ConfirmedByUserPrompt, keyId, OrganizationTrust.PublicKeyDigest(publicKey), ctx.Host.Time.GetUtcNow()));
                ctx.Info($"'{organization.Name}' is trusted on this device.");
            }
        }));
        return command;
    }

    /// <summary>
    /// <c>coffer org fingerprint ORG</c>: the phrase of a trusted organization's public key (checked against its pin), for
    /// an owner to read to a member who runs <c>coffer org trust</c>.
    /// </summary>
    private static Command Fingerprint(CliRunner run)
    {
        var orgArg = OrgArgument();
        var command = new Command("fingerprint", "Print the organization's fingerprint phrase, for members to compare when they trust it") { orgArg };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var organization = OrgSession.FindOrganization(session, r.GetValue(orgArg)!);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var publicKey = await OrganizationGuard.PinnedPublicKeyAsync(connected, client, organization.Id, ct);
                ctx.Host.Out.WriteLine(OrganizationTrust.Fingerprint(organization.Id, publicKey));
            }
        }));
        return command;
    }

    private static string TrustName(SessionState session, Guid organizationId) => OrganizationGuard.State(session, organizationId) switch
    {
        OrganizationTrustState.Quarantined => "quarantined",
        OrganizationTrustState.Disabled => "disabled",
        _ => session.TrustPins!.Current.Organizations[organizationId].Origin,
    };

    /// <summary>The organization, membership and token of an invitation link; the token leaves this process only to the server.</summary>
    private static (Guid OrganizationId, Guid MemberId, string Token, string? Name) ParseInvitation(string link)
    {
        var query = link.Contains('?', StringComparison.Ordinal) ? link[(link.IndexOf('?', StringComparison.Ordinal) + 1)..] : link;
        var values = System.Web.HttpUtility.ParseQueryString(query);
        return Guid.TryParse(values["organizationId"], out var organizationId) && Guid.TryParse(values["organizationUserId"], out var memberId)
            && values["token"] is { Length: > 0 } token
            ? (organizationId, memberId, token, values["organizationName"])
            : throw CliException.Usage("That is not an organization invitation link: it needs organizationId=…, organizationUserId=… and token=… (…#/accept-organization/?…).");
    }

    private static Command Delete(CliRunner run)
    {
        var orgArg = OrgArgument();
        var command = new Command("delete", "Delete an organization you own, with all its items and collections (asks for your master password)") { orgArg };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var organization = OrgSession.FindOrganization(session, r.GetValue(orgArg)!);
            var hash = ctx.MasterPasswordHash(session);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                await client.DeleteOrganizationAsync(organization.Id, hash, ct);
                await VaultSession.PullAsync(ctx, client, connected, ct);
            }

            ctx.Info($"Deleted organization '{organization.Name}'.");
        }));
        return command;
    }

    private static Command Leave(CliRunner run)
    {
        var orgArg = OrgArgument();
        var command = new Command("leave", "Leave an organization (the last owner cannot); a quarantined one too") { orgArg };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();

            // Leaving uses no key, so it is also the way out of an organization the server put you in (BW08).
            var organization = OrgSession.FindAmong(session.Sync?.Profile.Organizations ?? [], r.GetValue(orgArg)!);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                await client.LeaveOrganizationAsync(organization.Id, ct);
                await VaultSession.PullAsync(ctx, client, connected, ct);
            }

            ctx.Info($"Left '{organization.Name}'.");
        }));
        return command;
    }

    private static Command Invite(CliRunner run)
    {
        var orgArg = OrgArgument();
        var email = new Argument<string>("email");
        var type = TypeOption(required: false);
        var access = AccessOption();
        var command = new Command("invite", "Invite someone by e-mail; prints the invitation link to pass on when the server sends no e-mail")
        {
            orgArg, email, type, access,
        };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var organization = OrgSession.FindOrganization(session, r.GetValue(orgArg)!);
            var typeNumber = OrgSession.TypeNumber(r.GetValue(type) ?? "user");
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var collections = await CollectionAccessAsync(ctx, session, client, organization.Id, r.GetValue(access) ?? [], ct);
                var address = r.GetValue(email)!.Trim();
                var invitations = await OrgSession.AsAdminAsync(
                    () => client.InviteMembersAsync(
                        organization.Id,
                        new OrganizationUserInviteRequestModel
                        {
                            Emails = [address],
                            Type = typeNumber,
                            Permissions = typeNumber == 4 ? new PermissionsModel() : null,
                            Collections = collections,
                            Groups = [],
                        },
                        ct),
                    "invite members");
                foreach (var invitation in invitations)
                {
                    if (invitation.InvitationUrl is { Length: > 0 } url)
                    {
                        ctx.Host.Out.WriteLine(url);
                    }

                    ctx.Notice(invitation.Status == 1
                        ? $"{invitation.Email} has an account and has accepted: confirm with `coffer org confirm {organization.Id} {invitation.Email}`."
                        : $"Invited {invitation.Email}: once they have accepted (or registered with that address), confirm with `coffer org confirm`.");
                }

                if (invitations.Count == 0)
                {
                    ctx.Notice($"Invited {address}.");
                }
            }
        }));
        return command;
    }

    private static Command Members(CliRunner run)
    {
        var orgArg = OrgArgument();
        var json = new Option<bool>("--json") { Description = "Print the server's member objects as a JSON array" };
        var command = new Command("members", "List members: id, e-mail, name, type and status, tab-separated") { orgArg, json };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var organization = OrgSession.FindOrganization(session, r.GetValue(orgArg)!);
            var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var members = await OrgSession.AsAdminAsync(() => client.GetMembersAsync(organization.Id, ct), "list members");
                if (r.GetValue(json))
                {
                    ctx.Host.Out.WriteLine(JsonSerializer.Serialize(members, ItemCommands.Json));
                    return;
                }

                foreach (var m in members.OrderBy(m => m.Email, StringComparer.OrdinalIgnoreCase))
                {
                    ctx.Host.Out.WriteLine($"{m.Id}\t{m.Email}\t{m.Name}\t{OrgSession.TypeName(m.Type)}\t{OrgSession.StatusName(m.Status)}");
                }
            }
        }));
        return command;
    }

    private static Command Confirm(CliRunner run)
    {
        var orgArg = OrgArgument();
        var member = MemberArgument();
        var fingerprint = FingerprintCheck.Option("member");
        var command = new Command(
            "confirm",
            "Give an accepted member the organization key, after checking their fingerprint phrase (asks for \"yes\", or --fingerprint)")
        {
            orgArg, member, fingerprint,
        };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var organization = OrgSession.FindOrganization(session, r.GetValue(orgArg)!);
            var typed = r.GetValue(fingerprint);
            FingerprintCheck.RequireWayToAsk(ctx, typed, "member");

            using var userKey = ctx.UnlockUserKey(session);
            using var keys = VaultSession.Keys(session, userKey);
            var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var members = await OrgSession.AsAdminAsync(() => client.GetMembersAsync(organization.Id, ct), "list members");
                var target = OrgSession.FindMember(members, r.GetValue(member)!);
                switch (target.Status)
                {
                    case 0:
                        throw new CliException($"{target.Email} has not accepted the invitation yet (they join when they register with that address).");
                    case 2:
                        throw new CliException($"{target.Email} is already confirmed.");
                    case -1:
                        throw new CliException($"{target.Email} is revoked and cannot be confirmed; restore them first.");
                }

                var userId = target.UserId ?? throw new CliException($"{target.Email} has no account yet.");
                var publicKey = await FingerprintCheck.VerifiedPublicKeyAsync(ctx, session, client, userId, PersonCheck.OrgMember, target.Email, typed, "confirmed", ct);
                string wrapped;
                try
                {
                    wrapped = OrganizationKeys.Wrap(keys.Organization(organization.Id), publicKey);
                }
                catch (CryptographicException e)
                {
                    throw new CliException("The member's public key is not a valid RSA key; not confirmed.", e);
                }

                await client.ConfirmMemberAsync(organization.Id, target.Id, wrapped, ct);
                ctx.Info($"Confirmed {target.Email} in '{organization.Name}'.");
            }
        }));
        return command;
    }

    private static Command MemberAction(
        CliRunner run, string verb, string description, Func<CofferApiClient, Guid, Guid, CancellationToken, Task> call, string done)
    {
        var orgArg = OrgArgument();
        var member = MemberArgument();
        var command = new Command(verb, description) { orgArg, member };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var organization = OrgSession.FindOrganization(session, r.GetValue(orgArg)!);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var members = await OrgSession.AsAdminAsync(() => client.GetMembersAsync(organization.Id, ct), "list members");
                var target = OrgSession.FindMember(members, r.GetValue(member)!);
                await call(client, organization.Id, target.Id, ct);
                await VaultSession.PullAsync(ctx, client, connected, ct);
                ctx.Info($"{done} {target.Email}.");
            }
        }));
        return command;
    }

    private static Command SetAccess(CliRunner run)
    {
        var orgArg = OrgArgument();
        var member = MemberArgument();
        var type = TypeOption(required: true);
        var access = AccessOption();
        var command = new Command("set-access", "Set a member's type and collection access (replaces their collections; groups stay)")
        {
            orgArg, member, type, access,
        };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var organization = OrgSession.FindOrganization(session, r.GetValue(orgArg)!);
            var typeNumber = OrgSession.TypeNumber(r.GetValue(type)!);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var members = await OrgSession.AsAdminAsync(() => client.GetMembersAsync(organization.Id, ct), "list members");
                var target = OrgSession.FindMember(members, r.GetValue(member)!);
                var collections = await CollectionAccessAsync(ctx, session, client, organization.Id, r.GetValue(access) ?? [], ct);
                await client.UpdateMemberAsync(
                    organization.Id,
                    target.Id,
                    new OrganizationUserUpdateRequestModel
                    {
                        Type = typeNumber,
                        Permissions = typeNumber == 4 ? target.Permissions ?? new PermissionsModel() : null,
                        Collections = collections,
                        Groups = target.Groups,
                    },
                    ct);
                await VaultSession.PullAsync(ctx, client, connected, ct);
                ctx.Info($"{target.Email} is now {OrgSession.TypeName(typeNumber)} with {collections.Count} collection(s).");
            }
        }));
        return command;
    }

    private static Command Events(CliRunner run)
    {
        var orgArg = OrgArgument();
        var json = new Option<bool>("--json") { Description = "Print the events as a JSON array (Bitwarden's event objects)" };
        var command = new Command("events", "List the organization's events: members, collections and items (owners and admins)") { orgArg, json };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var organization = OrgSession.FindOrganization(session, r.GetValue(orgArg)!);
            var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var events = await EventCommands.AllPagesAsync(
                    token => OrgSession.AsAdminAsync(() => client.GetOrganizationEventsAsync(organization.Id, token, ct), "show the organization's events"));
                EventCommands.Print(ctx, events, r.GetValue(json), e => e.ActingUserId?.ToString() ?? "-");
            }
        }));
        return command;
    }

    // Collection names are encrypted: the vault is unlocked only when --collection was given.
    private static async Task<IReadOnlyList<SelectionReadOnlyRequestModel>> CollectionAccessAsync(
        CliContext ctx, SessionState session, CofferApiClient client, Guid organizationId, string[] specs, CancellationToken ct)
    {
        if (specs.Length == 0)
        {
            return [];
        }

        using var userKey = ctx.UnlockUserKey(session);
        using var keys = VaultSession.Keys(session, userKey);
        var known = await OrgSession.CollectionsAsync(client, organizationId, keys.Organization(organizationId), ct);
        return [.. specs.Select(s => OrgSession.ParseAccess(known, s)).DistinctBy(a => a.Id)];
    }
}
