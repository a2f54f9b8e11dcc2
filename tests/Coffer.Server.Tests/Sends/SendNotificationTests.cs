using System.Net;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.Notifications;

namespace Coffer.Server.Tests.Sends;

/// <summary>
/// <c>bitwarden-sharing-features.md</c> §3.12: <c>SyncSendCreate</c> (12), <c>SyncSendUpdate</c> (13) and
/// <c>SyncSendDelete</c> (14) reach the owner's other devices with <c>{Id, UserId, RevisionDate}</c>; a recipient's
/// access reaches every device (S-14).
/// </summary>
public sealed class SendNotificationTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private CofferFactory Factory => fixture.Factory;

    [Fact]
    public async Task OwnerChanges_ReachTheOtherDevice_As12Then13Then14()
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        await using var second = await LiveSyncClient.ConnectAsync(Factory, devices.SecondToken);
        var owner = devices.First;

        var send = await SendApi.CreateTextAsync(owner);
        var id = send.RequireString("id");
        var created = await second.NextNotificationAsync();
        using var edit = await owner.Client.PutJsonAsync($"/api/sends/{id}", SendApi.Text());
        var edited = await edit.ExpectObjectAsync();
        var updated = await second.NextNotificationAsync();
        using var delete = await owner.Client.DeleteAsync($"/api/sends/{id}");
        await delete.ExpectStatusAsync(HttpStatusCode.OK);
        var deleted = await second.NextNotificationAsync();

        Assert.Equal([12, 13, 14], new[] { created.Type, updated.Type, deleted.Type });
        Assert.All(new[] { created, updated, deleted }, n =>
        {
            Assert.Equal(["Id", "UserId", "RevisionDate"], n.Payload.Keys);
            Assert.Equal(id, n.Id);
            Assert.Equal(owner.UserId, n.Payload["UserId"]);
            Assert.Equal(owner.DeviceIdentifier, n.ContextId);
        });
        Assert.Equal(send.RequireUtcDate("revisionDate").UtcDateTime, created.Payload["RevisionDate"]);
        Assert.Equal(edited.RequireUtcDate("revisionDate").UtcDateTime, updated.Payload["RevisionDate"]);
    }

    [Fact]
    public async Task FileSend_IsAnnouncedOnceItsFileHasArrived()
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        await using var second = await LiveSyncClient.ConnectAsync(Factory, devices.SecondToken);
        var owner = devices.First;
        using var slot = await owner.Client.PostJsonAsync("/api/sends/file/v2", SendApi.File(81));
        var send = (await slot.ExpectObjectAsync())["sendResponse"]!;
        await HubMarkers.SendMarkerAsync(owner.Client);
        await HubMarkers.AssertNextIsMarkerAsync(second);

        using var upload = await SendApi.UploadAsync(owner.Client, send.RequireString("id"), send["file"].RequireString("id"), SendApi.EncryptedFile(2));
        await upload.ExpectStatusAsync(HttpStatusCode.OK);

        var created = await second.NextNotificationAsync();
        Assert.Equal(12, created.Type);
        Assert.Equal(send.RequireString("id"), created.Id);
    }

    [Fact]
    public async Task RecipientAccess_ReachesEveryDeviceOfTheOwner_As13()
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        var owner = devices.First;
        await using var first = await LiveSyncClient.ConnectAsync(Factory, owner.AccessToken);
        await using var second = await LiveSyncClient.ConnectAsync(Factory, devices.SecondToken);
        var send = await SendApi.CreateTextAsync(owner);
        Assert.Equal(12, (await second.NextNotificationAsync()).Type);
        var recipient = Factory.CreateClient();

        using var access = await SendApi.WithTokenAsync(recipient, await SendApi.TokenAsync(recipient, send.RequireString("accessId")));
        await access.ExpectObjectAsync();

        foreach (var hub in new[] { first, second })
        {
            var updated = await hub.NextNotificationAsync();
            Assert.Equal(13, updated.Type);
            Assert.Null(updated.ContextId);
            Assert.Equal(send.RequireString("id"), updated.Id);
        }
    }
}
