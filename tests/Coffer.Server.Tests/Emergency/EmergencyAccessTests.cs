using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Emergency;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Tests.Emergency;

/// <summary>
/// Emergency access on a server without mail (<c>bitwarden-sharing-features.md</c> §4.3–§4.5): the state machine from
/// invite to view, the lists of both sides, update, delete by either side, and the inputs refused at invite (E-9, E-10).
/// </summary>
public sealed class EmergencyAccessTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task Invite_OfAnExistingAccountWithoutMail_IsAcceptedAtOnce_AndListedOnBothSides()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);

        var id = await grantor.InviteAsync(grantee.Email, type: 1, waitTimeDays: 3);

        var trusted = Assert.Single(await grantor.TrustedAsync())!.AsObject();
        Assert.Equal(id, trusted.RequireString("id"));
        Assert.Equal((int)EmergencyAccessStatus.Accepted, (int?)trusted["status"]);
        Assert.Equal(1, (int?)trusted["type"]);
        Assert.Equal(3, (int?)trusted["waitTimeDays"]);
        Assert.Equal(grantee.UserId, trusted.RequireString("granteeId"));
        Assert.Equal(grantee.Email, trusted.RequireString("email"));
        Assert.True(trusted.ContainsKey("name"));
        Assert.Equal("emergencyAccessGranteeDetails", trusted.RequireString("object"));
        var granted = Assert.Single(await grantee.GrantedAsync())!.AsObject();
        Assert.Equal(id, granted.RequireString("id"));
        Assert.Equal(grantor.UserId, granted.RequireString("grantorId"));
        Assert.Equal(grantor.Email, granted.RequireString("email"));
        Assert.Equal("emergencyAccessGrantorDetails", granted.RequireString("object"));
        Assert.Empty(await grantor.GrantedAsync());
        Assert.Empty(await grantee.TrustedAsync());
    }

    [Fact]
    public async Task StateMachine_InviteConfirmInitiateApprove_ThenViewShowsOnlyTheGrantorsPersonalItems()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var personal = (await grantor.CreateCipherAsync()).RequireString("id");
        var organization = await OrgHarness.CreateAsync(grantor);
        var organizationItem = (await grantor.CreateItemAsync(organization.Id, organization.FirstCollectionId!.Value)).RequireString("id");
        var granteeItem = (await grantee.CreateCipherAsync()).RequireString("id");
        var id = await grantor.InviteAsync(grantee.Email);
        var key = EmergencyApi.WrappedKey();

        await grantor.ExpectPostAsync(id, "confirm", new JsonObject { ["key"] = key });
        Assert.Equal(EmergencyAccessStatus.Confirmed, await grantor.StatusAsync(id));
        await grantee.ExpectPostAsync(id, "initiate");
        Assert.Equal(EmergencyAccessStatus.RecoveryInitiated, await grantor.StatusAsync(id));
        await grantor.ExpectPostAsync(id, "approve");
        Assert.Equal(EmergencyAccessStatus.RecoveryApproved, await grantor.StatusAsync(id));
        var view = (await grantee.ExpectPostAsync(id, "view"))!;

        Assert.Equal("emergencyAccessView", view.RequireString("object"));
        Assert.Equal(key, view.RequireString("keyEncrypted"));
        var cipher = Assert.Single(view.RequireArray("ciphers"))!.AsObject();
        Assert.Equal(personal, cipher.RequireString("id"));
        Assert.False((bool?)cipher["edit"]);
        var all = view.ToJsonString();
        Assert.DoesNotContain(organizationItem, all, StringComparison.Ordinal);
        Assert.DoesNotContain(granteeItem, all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_ChangesTypeAndWait_AndReplacesAStoredKeyOnly()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await grantor.InviteAsync(grantee.Email);
        var unconfirmedKey = EmergencyApi.WrappedKey();

        using (var update = await grantor.Client.PutJsonAsync($"/api/emergency-access/{id}",
            new JsonObject { ["type"] = 1, ["waitTimeDays"] = 2, ["keyEncrypted"] = unconfirmedKey }))
        {
            await update.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var grant = await grantor.GrantAsync(id);
        Assert.Equal(1, (int?)grant["type"]);
        Assert.Equal(2, (int?)grant["waitTimeDays"]);
        Assert.Null(await StoredKeyAsync(id));

        await grantor.ConfirmAsync(id);
        var rotated = EmergencyApi.WrappedKey();
        using (var update = await grantor.Client.PostJsonAsync($"/api/emergency-access/{id}",
            new JsonObject { ["type"] = "View", ["waitTimeDays"] = 2, ["keyEncrypted"] = rotated }))
        {
            await update.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.Equal(0, (int?)(await grantor.GrantAsync(id))["type"]);
        Assert.Equal(rotated, await StoredKeyAsync(id));
    }

    [Fact]
    public async Task Update_ByTheGrantee_Returns400_AndChangesNothing()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await EmergencyApi.GrantAsync(grantor, grantee, EmergencyAccessStatus.Confirmed);

        // E-7: a View grantee trying to make the grant a Takeover.
        await grantee.Client.PutJsonAsync($"/api/emergency-access/{id}", new JsonObject { ["type"] = 1, ["waitTimeDays"] = 1 }).ExpectRefusedAsync();

        Assert.Equal(0, (int?)(await grantor.GrantAsync(id))["type"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Delete_ByEitherSide_RemovesTheGrantForBoth(bool byGrantor)
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await EmergencyApi.GrantAsync(grantor, grantee, EmergencyAccessStatus.RecoveryApproved);

        using (var delete = byGrantor
            ? await grantor.Client.DeleteAsync(new Uri($"/api/emergency-access/{id}", UriKind.Relative))
            : await grantee.Client.SendEmptyAsync(HttpMethod.Post, $"/api/emergency-access/{id}/delete"))
        {
            await delete.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.Empty(await grantor.TrustedAsync());
        Assert.Empty(await grantee.GrantedAsync());
        await grantee.PostAsync(id, "view").ExpectRefusedAsync();
        await grantor.Client.DeleteAsync(new Uri($"/api/emergency-access/{id}", UriKind.Relative)).ExpectRefusedAsync();
    }

    [Fact]
    public async Task StatusChanges_MoveBothPartiesRevisionDates()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await EmergencyApi.GrantAsync(grantor, grantee, EmergencyAccessStatus.Confirmed);
        var grantorBefore = await grantor.RevisionDateAsync();
        var granteeBefore = await grantee.RevisionDateAsync();

        await grantee.ExpectPostAsync(id, "initiate");

        Assert.True(await grantor.RevisionDateAsync() > grantorBefore);
        Assert.True(await grantee.RevisionDateAsync() > granteeBefore);
    }

    [Fact]
    public async Task Invite_OfOwnAddress_Returns400()
    {
        var grantor = await TestAccount.CreateAsync(factory);

        await grantor.InviteRequestAsync(grantor.Email.ToUpperInvariant()).ExpectRefusedAsync("You can not set yourself as an emergency contact.");
    }

    [Fact]
    public async Task Invite_OfTheSameGranteeTwice_Returns400()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        await grantor.InviteAsync(grantee.Email);

        await grantor.InviteRequestAsync(grantee.Email, type: 1).ExpectRefusedAsync($"Grantee user already invited: {grantee.Email}");

        Assert.Single(await grantor.TrustedAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(32768)]
    [InlineData(int.MaxValue)]
    public async Task Invite_WithAWaitOutside1To32767Days_Returns400(int days)
    {
        var grantor = await TestAccount.CreateAsync(factory);

        // E-10: a wait of 0 or less would let the approval job grant access at once.
        await grantor.InviteRequestAsync(Fake.Email(), waitTimeDays: days).ExpectRefusedAsync("The field WaitTimeDays must be between 1 and 32767.");

        Assert.Empty(await grantor.TrustedAsync());
    }

    [Fact]
    public async Task Update_WithAWaitOfZero_Returns400()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await grantor.InviteAsync(grantee.Email);

        await grantor.Client.PutJsonAsync($"/api/emergency-access/{id}", new JsonObject { ["type"] = 0, ["waitTimeDays"] = 0 })
            .ExpectRefusedAsync("The field WaitTimeDays must be between 1 and 32767.");
    }

    [Theory]
    [InlineData("2")]
    [InlineData("\"Admin\"")]
    [InlineData("null")]
    [InlineData("true")]
    public async Task Invite_WithAnUnknownType_Returns400(string type)
    {
        var grantor = await TestAccount.CreateAsync(factory);

        await grantor.Client.SendRawAsync(HttpMethod.Post, "/api/emergency-access/invite", $"{{\"email\":\"{Fake.Email()}\",\"type\":{type},\"waitTimeDays\":7}}")
            .ExpectRefusedAsync("Invalid emergency access type.");
    }

    [Fact]
    public async Task Invite_WithTheTypeAsAName_IsAccepted()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);

        using var response = await grantor.Client.SendRawAsync(HttpMethod.Post, "/api/emergency-access/invite",
            $"{{\"email\":\"{grantee.Email}\",\"type\":\"Takeover\",\"waitTimeDays\":7}}");
        await response.ExpectStatusAsync(HttpStatusCode.OK);

        Assert.Equal(1, (int?)Assert.Single(await grantor.TrustedAsync())!["type"]);
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("")]
    public async Task Invite_WithoutAValidAddress_Returns400(string email)
    {
        var grantor = await TestAccount.CreateAsync(factory);

        await grantor.InviteRequestAsync(email).ExpectRefusedAsync("The Email field is not a supported e-mail address format.");
    }

    [Fact]
    public async Task Invite_OfAnUnknownAddress_StaysInvited_UntilAnAccountRegistersWithIt()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var credentials = Credentials.New();
        var id = await grantor.InviteAsync(credentials.Email);
        var invited = await grantor.GrantAsync(id);
        Assert.Equal((int)EmergencyAccessStatus.Invited, (int?)invited["status"]);
        Assert.Null(invited["granteeId"]);
        Assert.Null(invited["name"]);

        await IdentityApi.RegisterAsync(factory.Anonymous(), credentials);
        var grantee = await TestAccount.LoginAsync(factory, credentials);

        Assert.Equal(EmergencyAccessStatus.Accepted, await grantor.StatusAsync(id));
        Assert.Equal(id, Assert.Single(await grantee.GrantedAsync())!.RequireString("id"));
    }

    [Fact]
    public async Task Confirm_WithoutAKey_Returns400()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await grantor.InviteAsync(grantee.Email);

        await grantor.PostAsync(id, "confirm", new JsonObject()).ExpectRefusedAsync(
            "key must be the user key encrypted to the grantee's public key (an EncString of type 4).");
        await grantor.PostAsync(id, "confirm", new JsonObject { ["key"] = "not an EncString" }).ExpectRefusedAsync(
            "key must be the user key encrypted to the grantee's public key (an EncString of type 4).");

        Assert.Equal(EmergencyAccessStatus.Accepted, await grantor.StatusAsync(id));
    }

    [Fact]
    public async Task DeletedAccount_TakesItsGrantsWithIt()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        await EmergencyApi.GrantAsync(grantor, grantee, EmergencyAccessStatus.RecoveryApproved);

        using (var delete = await grantor.Client.SendJsonAsync(HttpMethod.Delete, "/api/accounts", AccountChanges.Secret(grantor.Credentials.MasterPasswordHash)))
        {
            await delete.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.Empty(await grantee.GrantedAsync());
    }

    private async Task<string?> StoredKeyAsync(string id) =>
        await AccountChanges.QueryAsync(factory, db => db.EmergencyAccessGrants.Where(g => g.Id == Guid.Parse(id)).Select(g => g.KeyEncrypted).SingleAsync());
}
