using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Organizations;

/// <summary>
/// The access matrix of issue 11 (doc <c>bitwarden-organizations.md</c> §9.2–9.5): every membership type × collection
/// access × operation against the real routes, with the expected status derived here from the doc's rules, not from
/// the server's helpers. One organization holds a member for every (type, access) pair; each case works on its own item.
/// </summary>
public sealed class AccessMatrixTests(AccessMatrixFixture matrix) : IClassFixture<AccessMatrixFixture>
{
    public static TheoryData<MemberKind, CollectionRole, Operation> Cases()
    {
        var data = new TheoryData<MemberKind, CollectionRole, Operation>();
        foreach (var kind in Enum.GetValues<MemberKind>())
        {
            foreach (var role in Enum.GetValues<CollectionRole>())
            {
                foreach (var operation in Enum.GetValues<Operation>())
                {
                    data.Add(kind, role, operation);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Operation_AnswersWhatTheMembershipAndCollectionAccessAllow(MemberKind kind, CollectionRole role, Operation operation)
    {
        var organization = matrix.Organization;
        var owner = organization.Owner;
        var member = matrix.Members[(kind, role)];
        var collection = matrix.Collections[role];
        var rules = new Rules(kind, role);
        var item = await owner.CreateItemAsync(organization.Id, collection);
        var id = item.RequireString("id");

        using var response = operation switch
        {
            Operation.Read => await member.Client.GetAsync($"/api/ciphers/{id}/details"),
            Operation.Edit => await member.Client.PutJsonAsync($"/api/ciphers/{id}", OrgItems.Item(organization.Id, member)),
            Operation.Delete => await member.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{id}/delete"),
            Operation.Restore => await RestoreAsync(owner, member, id),
            Operation.ShareInto => await member.ShareRequestAsync((await member.CreateCipherAsync()).RequireString("id"), organization.Id, collection),
            Operation.ChangeCollections => await member.CollectionsV2Async(id),
            Operation.Export => await member.Client.GetAsync(organization.Url("/export")),
            Operation.AdminList => await member.Client.GetAsync($"/api/ciphers/organization-details?organizationId={organization.Id}"),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        await response.ExpectStatusAsync(rules.Expected(operation));
        if (operation == Operation.Read && response.IsSuccessStatusCode)
        {
            // The per-caller fields are the access answer the clients act on (doc §7.3).
            var read = await response.ExpectObjectAsync();
            Assert.Equal(organization.Id.ToString(), (string?)read["organizationId"]);
            Assert.Equal(rules.CanEdit, (bool?)read["edit"]);
            Assert.Equal(rules.ViewPassword, (bool?)read["viewPassword"]);
            Assert.Equal(rules.CanEdit, (bool?)read["permissions"]?["delete"]);
            Assert.Equal([collection.ToString()], read.RequireArray("collectionIds").Select(c => (string?)c));
        }
    }

    private static async Task<HttpResponseMessage> RestoreAsync(TestAccount owner, TestAccount member, string id)
    {
        using (var trash = await owner.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{id}/delete"))
        {
            await trash.ExpectStatusAsync(HttpStatusCode.OK);
        }

        return await member.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{id}/restore");
    }

    /// <summary>The doc's rules for one member, written out independently of the server's helpers.</summary>
    private sealed record Rules(MemberKind Kind, CollectionRole Role)
    {
        private bool Full => Kind is MemberKind.Owner or MemberKind.Admin or MemberKind.CustomEditAny;
        private bool ReadOnly => Role is CollectionRole.ReadOnly or CollectionRole.HidePasswords;
        private bool HidePasswords => Role is CollectionRole.HidePasswords or CollectionRole.EditExceptPasswords;
        private bool Manage => Role == CollectionRole.Manage;
        private bool Visible => Full || Role != CollectionRole.None;
        public bool CanEdit => Full || (Visible && (!ReadOnly || Manage));
        public bool ViewPassword => Full || !HidePasswords;
        private bool CanAssign => Full || Manage || (!ReadOnly && !HidePasswords);
        private bool CanAdd => Full || (Role != CollectionRole.None && (Manage || !ReadOnly));

        public HttpStatusCode Expected(Operation operation) => operation switch
        {
            Operation.Read => Visible ? HttpStatusCode.OK : HttpStatusCode.NotFound,
            Operation.Edit or Operation.Delete or Operation.Restore => !Visible ? HttpStatusCode.NotFound : CanEdit ? HttpStatusCode.OK : HttpStatusCode.BadRequest,
            Operation.ShareInto => CanAdd ? HttpStatusCode.OK : HttpStatusCode.BadRequest,
            Operation.ChangeCollections => !Visible ? HttpStatusCode.NotFound : ViewPassword && CanAssign ? HttpStatusCode.OK : HttpStatusCode.BadRequest,
            Operation.Export => Kind is MemberKind.Owner or MemberKind.Admin ? HttpStatusCode.OK : HttpStatusCode.BadRequest,
            Operation.AdminList => Full ? HttpStatusCode.OK : HttpStatusCode.NotFound,
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };
    }
}

public enum MemberKind
{
    Owner,
    Admin,
    User,
    CustomEditAny,
    Custom,
}

/// <summary>The clients' five roles on a collection, and no access at all.</summary>
public enum CollectionRole
{
    Manage,
    Edit,
    ReadOnly,
    HidePasswords,
    EditExceptPasswords,
    None,
}

public enum Operation
{
    Read,
    Edit,
    Delete,
    Restore,
    ShareInto,
    ChangeCollections,
    Export,
    AdminList,
}

/// <summary>One organization with a collection per role and a Confirmed member for every (type, role) pair.</summary>
public sealed class AccessMatrixFixture : IAsyncLifetime
{
    public CofferFactory Factory { get; } = new();

    public TestOrganization Organization { get; private set; } = null!;

    public Dictionary<CollectionRole, Guid> Collections { get; } = [];

    public Dictionary<(MemberKind, CollectionRole), TestAccount> Members { get; } = [];

    public async Task InitializeAsync()
    {
        Organization = await OrgHarness.CreateAsync(Factory, withCollection: false);
        foreach (var role in Enum.GetValues<CollectionRole>())
        {
            Collections[role] = await Organization.CreateCollectionAsync();
        }

        foreach (var kind in Enum.GetValues<MemberKind>())
        {
            foreach (var role in Enum.GetValues<CollectionRole>())
            {
                var access = role switch
                {
                    CollectionRole.Manage => OrgHarness.Access(Collections[role], manage: true),
                    CollectionRole.Edit => OrgHarness.Access(Collections[role]),
                    CollectionRole.ReadOnly => OrgHarness.Access(Collections[role], readOnly: true),
                    CollectionRole.HidePasswords => OrgHarness.Access(Collections[role], readOnly: true, hidePasswords: true),
                    CollectionRole.EditExceptPasswords => OrgHarness.Access(Collections[role], hidePasswords: true),
                    _ => null,
                };
                var type = kind switch { MemberKind.Owner => 0, MemberKind.Admin => 1, MemberKind.User => 2, _ => 4 };
                var permissions = kind == MemberKind.CustomEditAny ? new JsonObject { ["editAnyCollection"] = true }
                    : kind == MemberKind.Custom ? new JsonObject { ["accessEventLogs"] = true } : null;
                var (account, _) = await Organization.AddMemberAsync(type, access is null ? [] : new JsonArray(access), permissions);
                Members[(kind, role)] = account;
            }
        }
    }

    public Task DisposeAsync() => Factory.DisposeAsync().AsTask();
}
