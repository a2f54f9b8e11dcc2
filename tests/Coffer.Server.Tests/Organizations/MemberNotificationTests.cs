using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.Notifications;

namespace Coffer.Server.Tests.Organizations;

/// <summary>
/// Live sync of membership changes (<c>bitwarden-organizations.md</c> §10): the member concerned gets
/// <c>SyncOrgKeys</c> (6); organization-wide notifications go to Confirmed members only, so a removed or revoked
/// member's devices hear nothing more of the organization.
/// </summary>
public sealed class MemberNotificationTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private const int SyncVault = 5;
    private const int SyncOrgKeys = 6;

    [Fact]
    public async Task Confirm_SendsSyncOrgKeys_ToTheConfirmedMembersHub()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddAcceptedMemberAsync();
        await using var hub = await LiveSyncClient.ConnectAsync(factory, member.AccessToken);

        await organization.ConfirmAsync(memberId, member);

        var notification = await hub.NextNotificationAsync();
        Assert.Equal(SyncOrgKeys, notification.Type);
        Assert.Equal(member.UserId, notification.Payload["UserId"]);
    }

    [Theory]
    [InlineData("DELETE", "")]
    [InlineData("PUT", "/revoke")]
    public async Task RemoveOrRevoke_SendsSyncOrgKeys_ThenLaterOrganizationChangesNoLongerReachTheMember(string method, string path)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var (stays, _) = await organization.AddMemberAsync();
        await using var hub = await LiveSyncClient.ConnectAsync(factory, member.AccessToken);
        await using var staysHub = await LiveSyncClient.ConnectAsync(factory, stays.AccessToken);

        using (var response = await organization.Owner.Client.SendEmptyAsync(new HttpMethod(method), organization.Url($"/users/{memberId}{path}")))
        {
            await response.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.Equal(SyncOrgKeys, (await hub.NextNotificationAsync()).Type);
        await RenameAsync(organization);
        await HubMarkers.SendMarkerAsync(member.Client);

        // The rename reaches the member who stays (with the owner's device as context) but not the one who left.
        var toStays = await staysHub.NextNotificationAsync();
        Assert.Equal(SyncVault, toStays.Type);
        Assert.Equal(organization.Owner.DeviceIdentifier, toStays.ContextId);
        await HubMarkers.AssertNextIsMarkerAsync(hub);
    }

    [Fact]
    public async Task Leave_SendsSyncOrgKeys_ToTheLeavingMembersOtherDevices()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        await using var hub = await LiveSyncClient.ConnectAsync(factory, member.AccessToken);

        using (var response = await member.Client.PostAsync(organization.Url("/leave"), null))
        {
            await response.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.Equal(SyncOrgKeys, (await hub.NextNotificationAsync()).Type);
    }

    [Fact]
    public async Task DeleteOrganization_SendsSyncOrgKeys_ToEveryMember()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        var (accepted, _) = await organization.AddAcceptedMemberAsync();
        await using var memberHub = await LiveSyncClient.ConnectAsync(factory, member.AccessToken);
        await using var acceptedHub = await LiveSyncClient.ConnectAsync(factory, accepted.AccessToken);

        using (var response = await organization.Owner.Client.SendJsonAsync(HttpMethod.Delete, organization.Url(), AccountChanges.Secret(organization.Owner.Credentials.MasterPasswordHash)))
        {
            await response.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.Equal(SyncOrgKeys, (await memberHub.NextNotificationAsync()).Type);
        Assert.Equal(SyncOrgKeys, (await acceptedHub.NextNotificationAsync()).Type);
    }

    [Fact]
    public async Task UpdateMember_SendsSyncOrgKeys_ToThatMember()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        await using var hub = await LiveSyncClient.ConnectAsync(factory, member.AccessToken);

        using (var response = await organization.Owner.Client.PutJsonAsync(organization.Url($"/users/{memberId}"), new JsonObject { ["type"] = 1 }))
        {
            await response.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.Equal(SyncOrgKeys, (await hub.NextNotificationAsync()).Type);
    }

    private static async Task RenameAsync(TestOrganization organization)
    {
        using var response = await organization.Owner.Client.PutJsonAsync(organization.Url(), new JsonObject { ["name"] = "Renamed", ["billingEmail"] = organization.Owner.Email });
        await response.ExpectObjectAsync();
    }
}
