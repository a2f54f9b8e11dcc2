using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Data;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Organizations;

/// <summary>
/// The admin's organization list and delete (<c>/admin/api/organizations</c>, issue 11 point 12) and the organization
/// creation setting (<c>/admin/api/settings/organization-creation</c>, <c>coffer-server org-creation</c>), in the
/// style of <see cref="AdminTests"/>: admins made as the default rules want them, problem details on every refusal.
/// </summary>
public sealed class AdminOrganizationTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private static readonly string AnyId = Guid.NewGuid().ToString();

    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/admin/api/organizations" },
        { "DELETE", $"/admin/api/organizations/{AnyId}" },
        { "PUT", "/admin/api/settings/organization-creation" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task AdminOrganizationRoutes_AsNonAdmin_Return403(string method, string url)
    {
        var user = await TestAccount.CreateAsync(factory);

        using var response = await user.Client.SendJsonAsync(new HttpMethod(method), url, new JsonObject { ["organizationCreation"] = "admins" });

        await response.ExpectProblemAsync(HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task AdminOrganizationRoutes_WithoutAFreshProof_Return401(string method, string url)
    {
        var admin = await factory.CreateAdminAsync(prove: false);

        using var response = await admin.Client.SendJsonAsync(new HttpMethod(method), url, new JsonObject { ["organizationCreation"] = "admins" });

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ListOrganizations_ShowsNameCountsAndOwners_NeverCollectionNamesOrItems()
    {
        var admin = await factory.CreateAdminAsync();
        var organization = await OrgHarness.CreateAsync(factory);
        await organization.AddMemberAsync();
        await organization.AddAcceptedMemberAsync();
        var item = Payloads.LoginCipher();
        item["organizationId"] = organization.Id.ToString();
        using (var created = await organization.Owner.Client.PostJsonAsync("/api/ciphers/create",
            new JsonObject { ["cipher"] = item, ["collectionIds"] = new JsonArray(organization.FirstCollectionId!.Value.ToString()) }))
        {
            await created.ExpectSuccessAsync();
        }

        using var response = await admin.Client.GetAsync("/admin/api/organizations");
        var text = await response.Content.ReadAsStringAsync();
        await response.ExpectStatusAsync(HttpStatusCode.OK);

        var listed = JsonNode.Parse(text)!.AsArray().Single(o => (string?)o!["id"] == organization.Id.ToString())!;
        Assert.Equal("Acme", (string?)listed["name"]);
        Assert.Equal(2, (int?)listed["memberCount"]);
        Assert.Equal(1, (int?)listed["pendingMemberCount"]);
        Assert.Equal(1, (int?)listed["collectionCount"]);
        Assert.Equal(1, (int?)listed["itemCount"]);
        Assert.Equal(organization.Owner.Email, (string?)Assert.Single(listed["owners"]!.AsArray()));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var collectionName = await db.Collections.Where(c => c.OrganizationId == organization.Id).Select(c => c.Name).SingleAsync();
        Assert.DoesNotContain(collectionName, text, StringComparison.Ordinal);
        Assert.DoesNotContain(item.RequireString("name"), text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"key\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteOrganization_RemovesItsItemsCollectionsAndMemberships_AndIsAudited9301()
    {
        var admin = await factory.CreateAdminAsync();
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        await PolicyTests.EnablePolicyAsync(organization, PolicyType.DisableSend);
        await GroupTests.CreateGroupAsync(organization, GroupTests.Body());
        await GroupTests.AddOrganizationItemAsync(organization, organization.FirstCollectionId!.Value);
        var before = await member.RevisionDateAsync();

        using (var response = await admin.Client.DeleteAsync($"/admin/api/organizations/{organization.Id}"))
        {
            await response.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        Assert.True(await member.RevisionDateAsync() > before);
        Assert.Empty(await PolicyTests.ProfileOrganizationsAsync(member));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var id = organization.Id;
        Assert.False(await db.Organizations.AnyAsync(o => o.Id == id));
        Assert.False(await db.Ciphers.AnyAsync(c => c.OrganizationId == id));
        Assert.False(await db.Collections.AnyAsync(c => c.OrganizationId == id));
        Assert.False(await db.Memberships.AnyAsync(m => m.OrganizationId == id));
        Assert.False(await db.Groups.AnyAsync(g => g.OrganizationId == id));
        Assert.False(await db.Policies.AnyAsync(p => p.OrganizationId == id));
        var audited = await db.AuditEvents.Where(e => e.OrganizationId == id).OrderBy(e => e.Sequence).LastAsync();
        Assert.Equal(9301, (int)audited.Type);
        Assert.Equal(Guid.Parse(admin.UserId), audited.ActingUserId);
    }

    [Fact]
    public async Task DeleteOrganization_WithAnUnknownId_Returns404()
    {
        var admin = await factory.CreateAdminAsync();

        using var response = await admin.Client.DeleteAsync($"/admin/api/organizations/{Guid.NewGuid()}");

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OrganizationCreation_SetToAdmins_RefusesUsersAndAllowsAdmins_AndShowsInSettings()
    {
        var admin = await factory.CreateAdminAsync();
        try
        {
            using (var set = await admin.Client.PutJsonAsync("/admin/api/settings/organization-creation", new JsonObject { ["organizationCreation"] = "admins" }))
            {
                Assert.Equal("admins", (string?)(await set.ExpectObjectAsync())["organizationCreation"]);
            }

            var user = await TestAccount.CreateAsync(factory);
            using (var refused = await user.Client.PostJsonAsync("/api/organizations", OrgHarness.CreateBody(user, new byte[64])))
            {
                await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            }

            await OrgHarness.CreateAsync(admin);
            using var settings = await admin.Client.GetAsync("/admin/api/settings");
            Assert.Equal("admins", (string?)(await settings.ExpectObjectAsync())["organizationCreation"]);
        }
        finally
        {
            using var reset = await admin.Client.PutJsonAsync("/admin/api/settings/organization-creation", new JsonObject { ["organizationCreation"] = "everyone" });
            await reset.ExpectStatusAsync(HttpStatusCode.OK);
        }

        await OrgHarness.CreateAsync(factory);
    }

    [Theory]
    [InlineData("nobody")]
    [InlineData("")]
    [InlineData(null)]
    public async Task OrganizationCreation_WithAnUnknownValue_Returns400(string? value)
    {
        var admin = await factory.CreateAdminAsync();

        using var response = await admin.Client.PutJsonAsync("/admin/api/settings/organization-creation", new JsonObject { ["organizationCreation"] = value });

        await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task OrgCreationCommand_SetsAndPrintsTheSetting_AndIsAudited()
    {
        await using var server = new CofferFactory();
        var admin = await server.CreateAdminAsync();

        var set = await ServerCommand.RunAsync(server.DataFolder, "org-creation", "admins");
        Assert.Equal(0, set.ExitCode);
        var read = await ServerCommand.RunAsync(server.DataFolder, "org-creation");
        Assert.Equal("admins", read.Output.Trim());
        var bad = await ServerCommand.RunAsync(server.DataFolder, "org-creation", "nobody");
        Assert.Equal(2, bad.ExitCode);

        var user = await TestAccount.CreateAsync(server);
        using (var refused = await user.Client.PostJsonAsync("/api/organizations", OrgHarness.CreateBody(user, new byte[64])))
        {
            await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        using var settings = await admin.Client.GetAsync("/admin/api/settings");
        Assert.Equal("admins", (string?)(await settings.ExpectObjectAsync())["organizationCreation"]);
        await using var scope = server.Services.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<CofferDb>().AuditEvents.AnyAsync(e => (int)e.Type == 9111));
    }
}
