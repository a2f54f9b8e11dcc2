using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Organizations;

/// <summary>Member routes (<c>bitwarden-organizations.md</c> §4.1, §4.2, §4.4, §4.5): list, read, invite, confirm, edit.</summary>
public sealed class MemberTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Theory]
    [InlineData("owner", HttpStatusCode.OK)]
    [InlineData("admin", HttpStatusCode.OK)]
    [InlineData("custom-manageUsers", HttpStatusCode.OK)]
    [InlineData("user", HttpStatusCode.BadRequest)]
    [InlineData("custom", HttpStatusCode.BadRequest)]
    [InlineData("invited-owner", HttpStatusCode.NotFound)]
    [InlineData("accepted-owner", HttpStatusCode.NotFound)]
    [InlineData("revoked-owner", HttpStatusCode.NotFound)]
    [InlineData("outsider", HttpStatusCode.NotFound)]
    public async Task ListMembers_ByRole_AnswersManagersOnly(string role, HttpStatusCode expected)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var caller = await organization.MemberAsAsync(role);

        using var response = await caller.Client.GetAsync(organization.Url("/users?"));

        if (expected == HttpStatusCode.OK)
        {
            var list = await response.ExpectObjectAsync();
            Assert.Contains(list.RequireArray("data"), m => (string?)m!["email"] == organization.Owner.Email);
        }
        else
        {
            await response.ExpectBitwardenErrorAsync(expected);
        }
    }

    [Fact]
    public async Task ListMembers_GivesTheCliItsFields_AndCollectionsAndGroupsWhenAsked()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var collectionId = organization.FirstCollectionId!.Value;
        var (member, memberId) = await organization.AddMemberAsync(collections: [OrgHarness.Access(collectionId, readOnly: true)]);
        var invited = await organization.InviteAsync(Fake.Email());

        using var plain = await organization.Owner.Client.GetAsync(organization.Url("/users?"));
        using var full = await organization.Owner.Client.GetAsync(organization.Url("/users?includeCollections=true&includeGroups=true"));

        var entry = (await plain.ExpectObjectAsync()).RequireArray("data").ById(memberId.ToString())!;
        Assert.Equal("organizationUserUserDetails", (string?)entry["object"]);
        Assert.Equal(member.Email, (string?)entry["email"]);
        Assert.True(entry.ContainsKey("name"));
        Assert.Equal(member.UserId, (string?)entry["userId"]);
        Assert.Equal(2, (int?)entry["status"]);
        Assert.Equal(2, (int?)entry["type"]);
        Assert.False((bool?)entry["twoFactorEnabled"]);
        Assert.Empty(entry.RequireArray("collections"));
        var data = (await full.ExpectObjectAsync()).RequireArray("data");
        var access = Assert.IsType<JsonObject>(Assert.Single(data.ById(memberId.ToString())!.RequireArray("collections")));
        Assert.Equal(collectionId.ToString(), (string?)access["id"]);
        Assert.True((bool?)access["readOnly"]);
        var pending = data.ById(invited.RequireString("id"))!;
        Assert.Equal(0, (int?)pending["status"]);
        Assert.Null(pending["userId"]);
        Assert.Null(pending["name"]);
    }

    [Fact]
    public async Task GetMember_ReturnsStatusUserIdAndPermissions_ForTheCliConfirm()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddAcceptedMemberAsync(type: 4, permissions: new JsonObject { ["manageUsers"] = true });

        using var response = await organization.Owner.Client.GetAsync(organization.Url($"/users/{memberId}?"));

        var details = await response.ExpectObjectAsync();
        Assert.Equal(1, (int?)details["status"]);
        Assert.Equal(member.UserId, (string?)details["userId"]);
        Assert.True((bool?)details["permissions"]!["manageUsers"]);
        Assert.False((bool?)details["permissions"]!["editAnyCollection"]);
    }

    [Fact]
    public async Task MiniDetails_AnswerAnyConfirmedMember_But404AnAcceptedOne()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (user, _) = await organization.AddMemberAsync();
        var (accepted, _) = await organization.AddAcceptedMemberAsync();

        using var response = await user.Client.GetAsync(organization.Url("/users/mini-details"));
        using var refused = await accepted.Client.GetAsync(organization.Url("/users/mini-details"));

        var data = (await response.ExpectObjectAsync()).RequireArray("data");
        Assert.Equal(3, data.Count);
        Assert.All(data, m => Assert.Equal("organizationUserUserMiniDetails", (string?)m!["object"]));
        await refused.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UserPublicKey_AnswersAnySignedInUser_And404ForAnUnknownId()
    {
        var reader = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);

        using var response = await reader.Client.GetAsync($"/api/users/{other.UserId}/public-key");
        using var unknown = await reader.Client.GetAsync($"/api/users/{Guid.NewGuid()}/public-key");

        var key = await response.ExpectObjectAsync();
        Assert.Equal("userKey", (string?)key["object"]);
        Assert.Equal(other.UserId, (string?)key["userId"]);
        Assert.Equal(other.Credentials.PublicKey, (string?)key["publicKey"]);
        await unknown.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("admin", 2, true)]
    [InlineData("admin", 4, true)]
    [InlineData("admin", 1, false)]
    [InlineData("admin", 0, false)]
    [InlineData("custom-manageUsers", 2, true)]
    [InlineData("custom-manageUsers", 1, false)]
    [InlineData("owner", 0, true)]
    [InlineData("owner", 1, true)]
    public async Task Invite_OwnersAndAdmins_OnlyByAnOwner(string role, int type, bool allowed)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var inviter = await organization.MemberAsAsync(role);

        using var response = await organization.InviteRequestAsync(Fake.Email(), type, by: inviter);

        if (allowed)
        {
            await response.ExpectObjectAsync();
        }
        else
        {
            await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task Invite_WithACollectionOfAnotherOrganization_Returns400InvalidCollection()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var other = await OrgHarness.CreateAsync(factory);

        using var response = await organization.InviteRequestAsync(Fake.Email(), collections: [OrgHarness.Access(other.FirstCollectionId!.Value)]);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid collection", (string?)error["message"]);
    }

    [Fact]
    public async Task Invite_WithAGroupOfAnotherOrganization_Returns400InvalidGroup()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var other = await OrgHarness.CreateAsync(factory);
        var groupId = Guid.NewGuid();
        await AccountChanges.QueryAsync(factory, db =>
        {
            db.Groups.Add(new Group { Id = groupId, OrganizationId = other.Id, Name = "B team" });
            return db.SaveChangesAsync();
        });
        var body = new JsonObject { ["emails"] = new JsonArray(Fake.Email()), ["type"] = 2, ["collections"] = new JsonArray(), ["groups"] = new JsonArray(groupId.ToString()) };

        using var response = await organization.Owner.Client.PostJsonAsync(organization.Url("/users/invite"), body);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid group", (string?)error["message"]);
    }

    [Fact]
    public async Task Invite_AnAddressAlreadyInTheOrganization_Returns400()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddAcceptedMemberAsync();

        using var again = await organization.InviteRequestAsync(member.Email.ToUpperInvariant());
        using var owner = await organization.InviteRequestAsync(organization.Owner.Email);

        await again.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await owner.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Invite_RecordsEvent1500_WithTheMember()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddAcceptedMemberAsync();

        var events = await AccountChanges.QueryAsync(factory, db => Task.FromResult(db.AuditEvents.Where(e => e.MembershipId == memberId).Select(e => e.Type).ToList()));

        Assert.Equal([EventType.MemberInvited], events);
        Assert.Contains(EventType.MemberInvited, await AccountChanges.AuditEventsAsync(factory, member.UserId));
    }

    [Fact]
    public async Task Confirm_StoresTheKey_AndTheProfileListsTheOrganization()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();

        var stored = organization.StoredMember(memberId)!;
        using var profile = await member.Client.GetAsync("/api/accounts/profile");
        var entry = Assert.IsType<JsonObject>(Assert.Single((await profile.ExpectObjectAsync()).RequireArray("organizations")));
        Assert.Equal(MembershipStatus.Confirmed, stored.Status);
        Assert.StartsWith("4.", stored.Key, StringComparison.Ordinal);
        Assert.Equal(stored.Key, (string?)entry["key"]);
        Assert.Equal(memberId.ToString(), (string?)entry["organizationUserId"]);
    }

    [Theory]
    [InlineData(MembershipStatus.Invited)]
    [InlineData(MembershipStatus.Confirmed)]
    [InlineData(MembershipStatus.Revoked)]
    public async Task Confirm_AMemberNotAccepted_Returns400UserInInvalidState(MembershipStatus status)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddAcceptedMemberAsync();
        await organization.SetStatusAsync(memberId, status);

        using var response = await organization.Owner.Client.PostJsonAsync(organization.Url($"/users/{memberId}/confirm"),
            new JsonObject { ["key"] = OrgHarness.Wrap(organization.Key, member.Credentials.PublicKey) });

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("User in invalid state", (string?)error["message"]);
    }

    [Theory]
    [InlineData("2.AAAA|BBBB|CCCC")]
    [InlineData("")]
    [InlineData(null)]
    public async Task Confirm_WithAKeyThatIsNotType4_Returns400(string? key)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (_, memberId) = await organization.AddAcceptedMemberAsync();

        using var response = await organization.Owner.Client.PostJsonAsync(organization.Url($"/users/{memberId}/confirm"), new JsonObject { ["key"] = key });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(MembershipStatus.Accepted, organization.StoredMember(memberId)!.Status);
    }

    [Fact]
    public async Task Confirm_AnAdmin_ByAnAdmin_Returns400_ButTheOwnerMay()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (admin, _) = await organization.AddMemberAsync(type: 1);
        var (newAdmin, newAdminId) = await organization.AddAcceptedMemberAsync(type: 1);

        using (var response = await admin.Client.PostJsonAsync(organization.Url($"/users/{newAdminId}/confirm"),
            new JsonObject { ["key"] = OrgHarness.Wrap(organization.Key, newAdmin.Credentials.PublicKey) }))
        {
            await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        await organization.ConfirmAsync(newAdminId, newAdmin);
    }

    [Fact]
    public async Task BulkConfirm_ConfirmsEachAcceptedMember_AndReportsTheOthers()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (first, firstId) = await organization.AddAcceptedMemberAsync();
        var (second, secondId) = await organization.AddAcceptedMemberAsync();
        var other = await OrgHarness.CreateAsync(factory);
        var (_, foreignId) = await other.AddAcceptedMemberAsync();
        using var keysResponse = await organization.Owner.Client.PostJsonAsync(organization.Url("/users/public-keys"),
            new JsonObject { ["ids"] = new JsonArray(firstId.ToString(), secondId.ToString(), foreignId.ToString()) });
        var keys = (await keysResponse.ExpectObjectAsync()).RequireArray("data");
        Assert.Equal(2, keys.Count);
        Assert.Equal(first.Credentials.PublicKey, (string?)keys.ById(firstId.ToString())!["key"]);
        Assert.Equal(second.UserId, (string?)keys.ById(secondId.ToString())!["userId"]);

        using var response = await organization.Owner.Client.PostJsonAsync(organization.Url("/users/confirm"), new JsonObject
        {
            ["keys"] = new JsonArray(
                new JsonObject { ["id"] = firstId.ToString(), ["key"] = OrgHarness.Wrap(organization.Key, first.Credentials.PublicKey) },
                new JsonObject { ["id"] = secondId.ToString(), ["key"] = "junk" },
                new JsonObject { ["id"] = foreignId.ToString(), ["key"] = OrgHarness.Wrap(organization.Key, first.Credentials.PublicKey) }),
            ["defaultUserCollectionName"] = Fake.EncString(),
        });

        var results = (await response.ExpectObjectAsync()).RequireArray("data");
        Assert.Equal("", (string?)results.ById(firstId.ToString())!["error"]);
        Assert.NotEqual("", (string?)results.ById(secondId.ToString())!["error"]);
        Assert.Equal("User not found.", (string?)results.ById(foreignId.ToString())!["error"]);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(firstId)!.Status);
        Assert.Equal(MembershipStatus.Accepted, organization.StoredMember(secondId)!.Status);
        Assert.Equal(MembershipStatus.Accepted, other.StoredMember(foreignId)!.Status);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("POST")]
    public async Task UpdateMember_ReplacesTypePermissionsAndCollections(string method)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var first = organization.FirstCollectionId!.Value;
        var second = await organization.CreateCollectionAsync();
        var (member, memberId) = await organization.AddMemberAsync(collections: [OrgHarness.Access(first, readOnly: true)]);
        var before = await member.RevisionDateAsync();

        using var response = await organization.Owner.Client.SendJsonAsync(new HttpMethod(method), organization.Url($"/users/{memberId}"), new JsonObject
        {
            ["type"] = 4,
            ["permissions"] = new JsonObject { ["accessEventLogs"] = true },
            ["collections"] = new JsonArray(OrgHarness.Access(first, hidePasswords: true), OrgHarness.Access(second, manage: true)),
            ["groups"] = new JsonArray(),
            ["accessSecretsManager"] = false,
        });

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        using var details = await organization.Owner.Client.GetAsync(organization.Url($"/users/{memberId}"));
        var read = await details.ExpectObjectAsync();
        Assert.Equal(4, (int?)read["type"]);
        Assert.True((bool?)read["permissions"]!["accessEventLogs"]);
        var access = read.RequireArray("collections");
        Assert.Equal(2, access.Count);
        Assert.False((bool?)access.ById(first.ToString())!["readOnly"]);
        Assert.True((bool?)access.ById(first.ToString())!["hidePasswords"]);
        Assert.True((bool?)access.ById(second.ToString())!["manage"]);
        Assert.True(await member.RevisionDateAsync() > before);
    }

    [Fact]
    public async Task UpdateMember_WithoutCollections_KeepsThem()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (_, memberId) = await organization.AddMemberAsync(collections: [OrgHarness.Access(organization.FirstCollectionId!.Value)]);

        using var response = await organization.Owner.Client.PutJsonAsync(organization.Url($"/users/{memberId}"), new JsonObject { ["type"] = 2, ["collections"] = null });

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        using var details = await organization.Owner.Client.GetAsync(organization.Url($"/users/{memberId}"));
        Assert.Single((await details.ExpectObjectAsync()).RequireArray("collections"));
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(2, 0)]
    [InlineData(1, 2)]
    [InlineData(0, 2)]
    public async Task UpdateMember_ByAnAdmin_CannotTouchOrGrantOwnerOrAdmin(int from, int to)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (admin, _) = await organization.AddMemberAsync(type: 1);
        var (_, memberId) = await organization.AddMemberAsync(type: from);

        using var response = await admin.Client.PutJsonAsync(organization.Url($"/users/{memberId}"), new JsonObject { ["type"] = to });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal((MembershipType)from, organization.StoredMember(memberId)!.Type);
    }

    [Fact]
    public async Task UpdateMember_DemotingTheLastOwner_Returns400_ButWithTwoOwnersWorks()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var demote = new JsonObject { ["type"] = 1 };

        using (var refused = await organization.Owner.Client.PutJsonAsync(organization.Url($"/users/{organization.OwnerMemberId}"), demote))
        {
            var error = await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            Assert.Equal(OrganizationMembers.LastOwnerMessage, (string?)error["message"]);
        }

        await organization.AddMemberAsync(type: 0);
        using var allowed = await organization.Owner.Client.PutJsonAsync(organization.Url($"/users/{organization.OwnerMemberId}"), demote);
        await allowed.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task UpdateMember_WithACollectionOfAnotherOrganization_Returns400_AndKeepsTheOldAccess()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var other = await OrgHarness.CreateAsync(factory);
        var (_, memberId) = await organization.AddMemberAsync(collections: [OrgHarness.Access(organization.FirstCollectionId!.Value)]);

        using var response = await organization.Owner.Client.PutJsonAsync(organization.Url($"/users/{memberId}"),
            new JsonObject { ["type"] = 2, ["collections"] = new JsonArray(OrgHarness.Access(other.FirstCollectionId!.Value)) });

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid collection", (string?)error["message"]);
        using var details = await organization.Owner.Client.GetAsync(organization.Url($"/users/{memberId}"));
        Assert.Equal(organization.FirstCollectionId.ToString(), (string?)Assert.Single((await details.ExpectObjectAsync()).RequireArray("collections"))!["id"]);
    }

    [Fact]
    public async Task Invite_ByACustomManager_OfACustomMemberWithPermissionsItLacks_Returns400()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var manager = await organization.MemberAsAsync("custom-manageUsers");

        using var refused = await organization.InviteRequestAsync(Fake.Email(), 4, permissions: new JsonObject { ["editAnyCollection"] = true }, by: manager);
        using var allowed = await organization.InviteRequestAsync(Fake.Email(), 4, permissions: new JsonObject { ["manageUsers"] = true }, by: manager);

        await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await allowed.ExpectObjectAsync();
    }

    [Fact]
    public async Task Invite_ByACustomManager_GrantsAccessOnlyToCollectionsItManages()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (manager, managerId) = await organization.AddMemberAsync(type: 4, permissions: new JsonObject { ["manageUsers"] = true });
        var managed = await organization.CreateCollectionAsync(OrgHarness.Access(managerId, false, false, true));
        var readable = await organization.CreateCollectionAsync(OrgHarness.Access(managerId, true, false, false));

        using var refused = await organization.InviteRequestAsync(Fake.Email(), collections: [OrgHarness.Access(readable)], by: manager);
        using var allowed = await organization.InviteRequestAsync(Fake.Email(), collections: [OrgHarness.Access(managed)], by: manager);

        await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await allowed.ExpectObjectAsync();
    }

    [Fact]
    public async Task UpdateMember_ByACustomManager_CannotRaiseItself()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (manager, managerId) = await organization.AddMemberAsync(type: 4, permissions: new JsonObject { ["manageUsers"] = true });

        using var permissions = await manager.Client.PutJsonAsync(organization.Url($"/users/{managerId}"),
            new JsonObject { ["type"] = 4, ["permissions"] = new JsonObject { ["manageUsers"] = true, ["editAnyCollection"] = true } });
        using var collections = await manager.Client.PutJsonAsync(organization.Url($"/users/{managerId}"),
            new JsonObject { ["type"] = 4, ["permissions"] = new JsonObject { ["manageUsers"] = true }, ["collections"] = new JsonArray(OrgHarness.Access(organization.FirstCollectionId!.Value, manage: true)) });

        await permissions.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await collections.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.False(MemberAccess.ReadPermissions(organization.StoredMember(managerId)!).EditAnyCollection);
    }
}
