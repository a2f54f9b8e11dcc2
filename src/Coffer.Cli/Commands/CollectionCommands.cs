using System.CommandLine;
using System.Text.Json.Nodes;
using Coffer.Client.Organizations;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer collection list|add|rename|rm ORG …</c>: an organization's collections, names encrypted under the
/// organization key (bitwarden-organizations.md §5).
/// </summary>
internal static class CollectionCommands
{
    public static Command Create(CliRunner run)
    {
        var listOrg = OrgCommands.OrgArgument();
        var json = new Option<bool>("--json") { Description = "Print a JSON array in bw's collection shape" };
        var list = new Command("list", "List the organization's collections you can see: id, name and your access, tab-separated") { listOrg, json };
        list.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var organization = OrgSession.FindOrganization(session, r.GetValue(listOrg)!);
            using var userKey = ctx.UnlockUserKey(session);
            using var keys = VaultSession.Keys(session, userKey);
            var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var collections = await OrgSession.CollectionsAsync(client, organization.Id, keys.Organization(organization.Id), ct);
                if (r.GetValue(json))
                {
                    ctx.Host.Out.WriteLine(new JsonArray([.. collections.Select(c => new JsonObject
                    {
                        ["object"] = "collection",
                        ["id"] = c.Id.ToString(),
                        ["organizationId"] = organization.Id.ToString(),
                        ["name"] = c.Name,
                        ["externalId"] = c.Model.ExternalId,
                    })]).ToJsonString(ItemCommands.Json));
                    return;
                }

                var own = organization.OrganizationUserId;
                foreach (var c in collections)
                {
                    var mine = c.Model.Users?.FirstOrDefault(u => u.Id == own);
                    var access = organization.Type is 0 or 1 ? OrgSession.TypeName(organization.Type)
                        : mine is null ? "-" : AccessReport.AccessName(mine.ReadOnly, mine.HidePasswords, mine.Manage);
                    ctx.Host.Out.WriteLine($"{c.Id}\t{c.Name}\t{access}");
                }
            }
        }));

        var addOrg = OrgCommands.OrgArgument();
        var addName = new Argument<string>("name");
        var add = new Command("add", "Create a collection that you manage; prints its id") { addOrg, addName };
        add.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var organization = OrgSession.FindOrganization(session, r.GetValue(addOrg)!);
            using var userKey = ctx.UnlockUserKey(session);
            using var keys = VaultSession.Keys(session, userKey);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                // As bw create org-collection does: the creator manages what they create (§5.1).
                var created = await client.CreateCollectionAsync(
                    organization.Id,
                    new CollectionRequestModel
                    {
                        Name = VaultCrypto.EncryptName(r.GetValue(addName)!, keys.Organization(organization.Id)),
                        Users = [new SelectionReadOnlyRequestModel { Id = organization.OrganizationUserId, Manage = true }],
                        Groups = [],
                    },
                    ct);
                await VaultSession.PullAsync(ctx, client, connected, ct);
                ctx.Host.Out.WriteLine(created.Id);
            }
        }));

        var renameOrg = OrgCommands.OrgArgument();
        var renameName = new Argument<string>("name") { Description = "Collection name or id" };
        var renameNew = new Argument<string>("new-name");
        var rename = new Command("rename", "Rename a collection (its access stays)") { renameOrg, renameName, renameNew };
        rename.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var organization = OrgSession.FindOrganization(session, r.GetValue(renameOrg)!);
            using var userKey = ctx.UnlockUserKey(session);
            using var keys = VaultSession.Keys(session, userKey);
            var orgKey = keys.Organization(organization.Id);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var collection = OrgSession.FindCollection(await OrgSession.CollectionsAsync(client, organization.Id, orgKey, ct), r.GetValue(renameName)!);

                // Null users and groups leave the access as it is (pitfall P16).
                await client.UpdateCollectionAsync(
                    organization.Id,
                    collection.Id,
                    new CollectionRequestModel { Name = VaultCrypto.EncryptName(r.GetValue(renameNew)!, orgKey), ExternalId = collection.Model.ExternalId },
                    ct);
                await VaultSession.PullAsync(ctx, client, connected, ct);
                ctx.Info($"Renamed '{collection.Name}' to '{r.GetValue(renameNew)}'.");
            }
        }));

        var rmOrg = OrgCommands.OrgArgument();
        var rmName = new Argument<string>("name") { Description = "Collection name or id" };
        var rm = new Command("rm", "Delete a collection; its items stay in the organization") { rmOrg, rmName };
        rm.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var organization = OrgSession.FindOrganization(session, r.GetValue(rmOrg)!);
            using var userKey = ctx.UnlockUserKey(session);
            using var keys = VaultSession.Keys(session, userKey);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var collection = OrgSession.FindCollection(
                    await OrgSession.CollectionsAsync(client, organization.Id, keys.Organization(organization.Id), ct), r.GetValue(rmName)!);
                await client.DeleteCollectionAsync(organization.Id, collection.Id, ct);
                await VaultSession.PullAsync(ctx, client, connected, ct);
                ctx.Info($"Deleted collection '{collection.Name}'.");
            }
        }));

        return new Command("collection", "An organization's collections: list, add, rename, rm") { list, add, rename, rm };
    }
}
