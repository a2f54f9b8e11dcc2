using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Organizations;

/// <summary>
/// Advisory T1 (doc §9.6; Vaultwarden 1.32.7): groups could be edited or deleted by an admin of any organization,
/// because the organization was not part of the query. An Owner of A names a group of B in A's routes (404, B's
/// group unchanged) and in B's routes (404: not a member of B).
/// </summary>
public sealed class T1_GroupOfAnotherOrganizationTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private async Task<(TestOrganization A, TestOrganization B, Guid GroupOfB, Guid MemberOfB)> TwoOrganizationsAsync()
    {
        var a = await OrgHarness.CreateAsync(factory);
        var b = await OrgHarness.CreateAsync(factory);
        var (_, memberOfB) = await b.AddMemberAsync();
        var groupOfB = await GroupTests.CreateGroupAsync(b, GroupTests.Body("B's group", [OrgHarness.Access(b.FirstCollectionId!.Value)], [memberOfB]));
        return (a, b, groupOfB, memberOfB);
    }

    private async Task AssertUnchangedAsync(TestOrganization b, Guid groupOfB, Guid memberOfB)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var group = await db.Groups.SingleAsync(g => g.Id == groupOfB);
        Assert.Equal("B's group", group.Name);
        Assert.Equal(b.Id, group.OrganizationId);
        Assert.Equal([memberOfB], await db.GroupMembers.Where(m => m.GroupId == groupOfB).Select(m => m.MembershipId).ToListAsync());
        Assert.Equal([b.FirstCollectionId!.Value], await db.CollectionGroups.Where(a => a.GroupId == groupOfB).Select(a => a.CollectionId).ToListAsync());
    }

    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/groups/{group}" },
        { "GET", "/groups/{group}/details" },
        { "GET", "/groups/{group}/users" },
        { "PUT", "/groups/{group}" },
        { "POST", "/groups/{group}" },
        { "PUT", "/groups/{group}/users" },
        { "DELETE", "/groups/{group}" },
        { "POST", "/groups/{group}/delete" },
        { "DELETE", "/groups/{group}/user/{member}" },
        { "POST", "/groups/{group}/delete-user/{member}" },
    };

    private static JsonNode Body(string method, string route, Guid memberOfB) => route.EndsWith("/users", StringComparison.Ordinal) && method == "PUT"
        ? new JsonArray()
        : GroupTests.Body("Taken over", users: []);

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task GroupRoute_OfOrganizationA_WithAGroupOfB_Returns404AndLeavesItUnchanged(string method, string route)
    {
        var (a, b, groupOfB, memberOfB) = await TwoOrganizationsAsync();
        var url = a.Url(route.Replace("{group}", groupOfB.ToString(), StringComparison.Ordinal).Replace("{member}", memberOfB.ToString(), StringComparison.Ordinal));

        using var response = await a.Owner.Client.SendJsonAsync(new HttpMethod(method), url, Body(method, route, memberOfB));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        await AssertUnchangedAsync(b, groupOfB, memberOfB);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task GroupRoute_OfOrganizationB_ByAnOwnerOfA_Returns404AndLeavesItUnchanged(string method, string route)
    {
        var (a, b, groupOfB, memberOfB) = await TwoOrganizationsAsync();
        var url = b.Url(route.Replace("{group}", groupOfB.ToString(), StringComparison.Ordinal).Replace("{member}", memberOfB.ToString(), StringComparison.Ordinal));

        using var response = await a.Owner.Client.SendJsonAsync(new HttpMethod(method), url, Body(method, route, memberOfB));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        await AssertUnchangedAsync(b, groupOfB, memberOfB);
    }

    [Fact]
    public async Task BulkDelete_OfOrganizationA_WithAGroupOfBAmongItsOwn_DeletesNothing()
    {
        var (a, b, groupOfB, memberOfB) = await TwoOrganizationsAsync();
        var own = await GroupTests.CreateGroupAsync(a, GroupTests.Body("A's group"));

        using var response = await a.Owner.Client.SendJsonAsync(HttpMethod.Delete, a.Url("/groups"), Payloads.Ids(own.ToString(), groupOfB.ToString()));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        await AssertUnchangedAsync(b, groupOfB, memberOfB);
        using var list = await a.Owner.Client.GetAsync(a.Url("/groups"));
        Assert.Single((await list.ExpectObjectAsync()).RequireArray("data"));
    }

    [Fact]
    public async Task GroupList_OfOrganizationA_NeverShowsBsGroups()
    {
        var (a, _, groupOfB, _) = await TwoOrganizationsAsync();

        using var response = await a.Owner.Client.GetAsync(a.Url("/groups"));

        Assert.DoesNotContain(groupOfB.ToString(), (await response.ExpectObjectAsync()).ToJsonString(), StringComparison.Ordinal);
    }
}
