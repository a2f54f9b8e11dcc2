using System.CommandLine;
using System.Net;
using System.Text.Json;
using Coffer.Client;
using Coffer.Client.Organizations;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer org access ORG [--json]</c>: who can see, edit and reveal each collection and item, and the path that
/// grants it (issue 11 point 10). Everything is read as an owner or admin and decrypted here; see <see cref="AccessReport"/>.
/// </summary>
internal static class OrgAccessReport
{
    public static Command Create(CliRunner run)
    {
        var orgArg = OrgCommands.OrgArgument();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON: collections[], items[], withoutAccess[]" };
        var command = new Command("access", "Who can see, edit and reveal each collection and item, and through what (type, collection, group)") { orgArg, json };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var organization = OrgSession.FindOrganization(session, r.GetValue(orgArg)!);
            using var userKey = ctx.UnlockUserKey(session);
            using var keys = VaultSession.Keys(session, userKey);
            var orgKey = keys.Organization(organization.Id);
            var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            AccessReport report;
            using (client)
            {
                var members = await OrgSession.AsAdminAsync(() => client.GetMembersAsync(organization.Id, ct), "list members");
                var groups = await GroupsAsync(client, organization.Id, ct);
                var collections = await OrgSession.CollectionsAsync(client, organization.Id, orgKey, ct);
                var export = await OrgSession.AsAdminAsync(() => client.ExportOrganizationAsync(organization.Id, ct), "read every item of the organization");
                var items = export.Ciphers
                    .Where(c => c.DeletedDate is null)
                    .Select(c => new AccessSubject(c.Id, VaultCrypto.Decrypt(c, orgKey).Name, c.CollectionIds))
                    .ToList();
                report = AccessReport.Compute(members, groups, [.. collections.Select(c => new AccessSubject(c.Id, c.Name, []))], items);
            }

            if (r.GetValue(json))
            {
                ctx.Host.Out.WriteLine(JsonSerializer.Serialize(
                    new
                    {
                        organization = new { id = organization.Id, name = organization.Name },
                        collections = report.Collections,
                        items = report.Items,
                        withoutAccess = report.WithoutAccess.Select(m => new { memberId = m.Id, email = m.Email, type = AccessReport.TypeName(m.Type), status = OrgSession.StatusName(m.Status) }),
                    },
                    ItemCommands.Json));
                return;
            }

            var collectionNames = report.Collections.ToDictionary(c => c.Id, c => c.Name);
            foreach (var c in report.Collections)
            {
                ctx.Host.Out.WriteLine($"collection\t{c.Id}\t{c.Name}");
                Write(ctx, c.Access);
            }

            foreach (var i in report.Items)
            {
                var where = i.CollectionIds.Count == 0 ? "no collection" : string.Join(", ", i.CollectionIds.Select(id => collectionNames.GetValueOrDefault(id, id.ToString())));
                ctx.Host.Out.WriteLine($"item\t{i.Id}\t{i.Name}\t{where}");
                Write(ctx, i.Access);
            }

            foreach (var m in report.WithoutAccess)
            {
                ctx.Host.Out.WriteLine($"no access\t{m.Email}\t{AccessReport.TypeName(m.Type)}\t{OrgSession.StatusName(m.Status)}");
            }
        }));
        return command;
    }

    private static void Write(CliContext ctx, IReadOnlyList<AccessGrant> grants)
    {
        foreach (var g in grants)
        {
            var rights = string.Join(',', new[] { "see", g.Edit ? "edit" : null, g.Reveal ? "reveal" : null, g.Manage ? "manage" : null }.OfType<string>());
            var via = string.Join("; ", g.Via.Select(p => p.Kind == "type" ? p.Name : $"{p.Kind} {p.Name} ({p.Access})"));
            ctx.Host.Out.WriteLine($"\t{g.Email}\t{g.Type}\t{rights}\tvia {via}");
        }
    }

    // Groups are optional for the clients (bitwarden-organizations.md §1.5): a server without them has none.
    private static async Task<IReadOnlyList<GroupResponseModel>> GroupsAsync(CofferApiClient client, Guid organizationId, CancellationToken ct)
    {
        try
        {
            return await client.GetGroupsAsync(organizationId, ct);
        }
        catch (CofferApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
    }
}
