using Coffer.Client.Organizations;
using Coffer.Protocol.Api;

namespace Coffer.Client.Tests.Organizations;

public sealed class AccessReportTests
{
    private static readonly Guid Engineering = Guid.NewGuid();
    private static readonly Guid Finance = Guid.NewGuid();
    private static readonly Guid Devs = Guid.NewGuid();

    private static readonly AccessSubject[] Collections =
    [
        new(Engineering, "Engineering", []),
        new(Finance, "Finance", []),
    ];

    private static OrganizationUserDetailsResponseModel Member(
        string email, int type, int status = 2, SelectionReadOnlyResponseModel[]? collections = null, Guid[]? groups = null, PermissionsModel? permissions = null) => new()
        {
            Id = Guid.NewGuid(),
            UserId = Guid.NewGuid(),
            Email = email,
            Type = type,
            Status = status,
            Collections = collections ?? [],
            Groups = groups ?? [],
            Permissions = permissions,
        };

    private static SelectionReadOnlyResponseModel On(Guid id, bool readOnly = false, bool hidePasswords = false, bool manage = false) =>
        new() { Id = id, ReadOnly = readOnly, HidePasswords = hidePasswords, Manage = manage };

    private static GroupResponseModel Group(params SelectionReadOnlyResponseModel[] collections) =>
        new() { Id = Devs, OrganizationId = Guid.NewGuid(), Name = "Devs", Collections = collections };

    [Fact]
    public void OwnersAdminsAndEditAnyCustomMembers_ReachEverything_ByTheirType()
    {
        var members = new[]
        {
            Member("owner@example.com", 0),
            Member("admin@example.com", 1),
            Member("custom@example.com", 4, permissions: new PermissionsModel { EditAnyCollection = true }),
            Member("plain-custom@example.com", 4, permissions: new PermissionsModel { ManageUsers = true }),
        };
        var items = new[] { new AccessSubject(Guid.NewGuid(), "Unassigned", []) };

        var report = AccessReport.Compute(members, [], Collections, items);

        foreach (var entry in report.Collections.Select(c => c.Access).Append(report.Items[0].Access))
        {
            Assert.Equal(["admin@example.com", "custom@example.com", "owner@example.com"], entry.Select(g => g.Email));
            Assert.All(entry, g => Assert.True(g.Edit && g.Reveal && g.Manage));
            Assert.All(entry, g => Assert.Equal("type", Assert.Single(g.Via).Kind));
        }

        Assert.Equal("custom: edit any collection", report.Items[0].Access.Single(g => g.Email == "custom@example.com").Via[0].Name);
    }

    [Fact]
    public void Paths_Combine_RestrictionsOnlyWhenEveryPathHasThem_ManageWhenAnyHasIt()
    {
        // Read-only directly, but editable through the group: edit wins; hide-passwords on both paths stays.
        var members = new[]
        {
            Member("bob@example.com", 2, collections: [On(Engineering, readOnly: true, hidePasswords: true)], groups: [Devs]),
        };
        var groups = new[] { Group(On(Engineering, hidePasswords: true), On(Finance, readOnly: true)) };
        var item = new AccessSubject(Guid.NewGuid(), "Prod DB", [Engineering, Finance]);

        var report = AccessReport.Compute(members, groups, Collections, [item]);

        var engineering = Assert.Single(report.Collections.Single(c => c.Name == "Engineering").Access);
        Assert.True(engineering.Edit);
        Assert.False(engineering.Reveal);
        Assert.False(engineering.Manage);
        Assert.Equal(["collection", "group"], engineering.Via.Select(p => p.Kind));
        Assert.Equal("read-only, hide-passwords", engineering.Via[0].Access);
        Assert.Equal("hide-passwords on Engineering", engineering.Via[1].Access);

        var finance = Assert.Single(report.Collections.Single(c => c.Name == "Finance").Access);
        Assert.False(finance.Edit);
        Assert.True(finance.Reveal);

        // The item is in both: editable (Engineering through Devs) and revealable (Finance through Devs).
        var onItem = Assert.Single(report.Items[0].Access);
        Assert.True(onItem.Edit);
        Assert.True(onItem.Reveal);
        Assert.Equal(3, onItem.Via.Count);
    }

    [Fact]
    public void OnlyConfirmedMembersHaveAccess_OthersAreListedWithoutIt()
    {
        var members = new[]
        {
            Member("invited@example.com", 2, status: 0, collections: [On(Engineering)]),
            Member("accepted@example.com", 2, status: 1, collections: [On(Engineering)]),
            Member("revoked@example.com", 0, status: -1),
            Member("carol@example.com", 2, collections: [On(Engineering, manage: true)]),
        };

        var report = AccessReport.Compute(members, [], Collections, [new AccessSubject(Guid.NewGuid(), "Elsewhere", [Finance])]);

        var carol = Assert.Single(report.Collections.Single(c => c.Name == "Engineering").Access);
        Assert.Equal("carol@example.com", carol.Email);
        Assert.True(carol.Manage && carol.Edit);
        Assert.Empty(report.Collections.Single(c => c.Name == "Finance").Access);
        Assert.Empty(report.Items[0].Access);
        Assert.Equal(["accepted@example.com", "invited@example.com", "revoked@example.com"], report.WithoutAccess.Select(m => m.Email));
    }
}
