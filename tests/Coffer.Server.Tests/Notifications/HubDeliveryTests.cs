using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Notifications;

/// <summary>Which change sends which notification to whom (notifications doc §7–§9), through the .NET SignalR client.</summary>
public sealed class HubDeliveryTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private CofferFactory Factory => fixture.Factory;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CipherCreate_ReachesTheUsersOtherDevice_AsSyncCipherCreate(bool tokenInHeader)
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        await using var second = await LiveSyncClient.ConnectAsync(Factory, devices.SecondToken, tokenInHeader: tokenInHeader);

        var cipher = await devices.First.CreateCipherAsync();

        var notification = await second.NextNotificationAsync();
        Assert.Equal(1, notification.Type);
        Assert.Equal(devices.First.DeviceIdentifier, notification.ContextId);
        Assert.Equal(["Id", "UserId", "OrganizationId", "CollectionIds", "RevisionDate"], notification.Payload.Keys);
        Assert.Equal(cipher.RequireString("id"), notification.Id);
        Assert.Equal(devices.First.UserId, notification.Payload["UserId"]);
        Assert.Null(notification.Payload["OrganizationId"]);
        Assert.Null(notification.Payload["CollectionIds"]);
        Assert.Equal(cipher.RequireUtcDate("revisionDate").UtcDateTime, notification.Payload["RevisionDate"]);
    }

    [Fact]
    public async Task CipherWrite_IsNotSentToTheWritingDevice()
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        await using var first = await LiveSyncClient.ConnectAsync(Factory, devices.First.AccessToken);

        await devices.First.CreateCipherAsync();
        await HubMarkers.SendMarkerAsync(devices.First.Client);

        await HubMarkers.AssertNextIsMarkerAsync(first);
    }

    [Fact]
    public async Task CipherWrite_DoesNotReachAnotherUser()
    {
        var writer = await TestAccount.CreateAsync(Factory);
        var other = await TestAccount.CreateAsync(Factory);
        await using var otherHub = await LiveSyncClient.ConnectAsync(Factory, other.AccessToken);

        await writer.CreateCipherAsync();
        await HubMarkers.SendMarkerAsync(other.Client);

        await HubMarkers.AssertNextIsMarkerAsync(otherHub);
    }

    [Theory]
    [InlineData("PUT", "", 0)]
    [InlineData("PUT", "/delete", 0)]
    [InlineData("PUT", "/restore", 0)]
    [InlineData("DELETE", "", 2)]
    public async Task CipherChange_SendsItsPushType_WithTheStoredRevisionDate(string method, string suffix, int expectedType)
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        var cipher = await devices.First.CreateCipherAsync();
        var id = cipher.RequireString("id");
        await using var second = await LiveSyncClient.ConnectAsync(Factory, devices.SecondToken);

        var edit = method == "PUT" && suffix == "";
        using var response = await devices.First.Client.SendJsonAsync(new HttpMethod(method), $"/api/ciphers/{id}{suffix}", edit ? Payloads.LoginCipher() : null);
        await response.ExpectSuccessAsync();

        var notification = await second.NextNotificationAsync();
        Assert.Equal(expectedType, notification.Type);
        Assert.Equal(id, notification.Id);
        if (expectedType == 0)
        {
            var stored = await devices.First.SyncedCipherAsync(id);
            Assert.Equal(stored.RequireUtcDate("revisionDate").UtcDateTime, notification.Payload["RevisionDate"]);
        }
    }

    [Theory]
    [InlineData("PUT", "/api/ciphers/delete")]
    [InlineData("DELETE", "/api/ciphers")]
    [InlineData("PUT", "/api/ciphers/restore")]
    [InlineData("PUT", "/api/ciphers/move")]
    public async Task BulkChange_SendsExactlyOneSyncCiphers(string method, string url)
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await devices.First.CreateCipherAsync()).RequireString("id"));
        }

        await using var second = await LiveSyncClient.ConnectAsync(Factory, devices.SecondToken);

        var body = Payloads.Ids([.. ids]);
        using var response = await devices.First.Client.SendJsonAsync(new HttpMethod(method), url, body);
        await response.ExpectSuccessAsync();
        await HubMarkers.SendMarkerAsync(devices.First.Client);

        var notification = await second.NextNotificationAsync();
        Assert.Equal(4, notification.Type);
        Assert.Equal(devices.First.DeviceIdentifier, notification.ContextId);
        Assert.Equal(["UserId", "Date"], notification.Payload.Keys);
        await HubMarkers.AssertNextIsMarkerAsync(second);
    }

    [Fact]
    public async Task Import_SendsExactlyOneSyncVault_ToEveryDevice()
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        await using var first = await LiveSyncClient.ConnectAsync(Factory, devices.First.AccessToken);
        await using var second = await LiveSyncClient.ConnectAsync(Factory, devices.SecondToken);
        var body = new JsonObject
        {
            ["ciphers"] = new JsonArray(Payloads.LoginCipher(), Payloads.LoginCipher(), Payloads.Cipher(2)),
            ["folders"] = new JsonArray(Payloads.Folder()),
            ["folderRelationships"] = new JsonArray(new JsonObject { ["key"] = 0, ["value"] = 0 }),
        };

        using var response = await devices.First.Client.PostJsonAsync("/api/ciphers/import", body);
        await response.ExpectSuccessAsync();
        await HubMarkers.SendMarkerAsync(devices.SecondClient());

        foreach (var hub in new[] { first, second })
        {
            var notification = await hub.NextNotificationAsync();
            Assert.Equal(5, notification.Type);
            Assert.Null(notification.ContextId);
            Assert.Equal(devices.First.UserId, notification.Payload["UserId"]);
            Assert.IsType<DateTime>(notification.Payload["Date"]);
            await HubMarkers.AssertNextIsMarkerAsync(hub);
        }
    }

    [Fact]
    public async Task FolderCreateRenameDelete_SendFolderCreateUpdateDelete()
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        await using var second = await LiveSyncClient.ConnectAsync(Factory, devices.SecondToken);

        var folder = await devices.First.CreateFolderAsync();
        var id = folder.RequireString("id");
        using (var rename = await devices.First.Client.PutJsonAsync($"/api/folders/{id}", Payloads.Folder()))
        {
            await rename.ExpectSuccessAsync();
        }

        using (var delete = await devices.First.Client.DeleteAsync($"/api/folders/{id}"))
        {
            await delete.ExpectSuccessAsync();
        }

        var created = await second.NextNotificationAsync();
        Assert.Equal(7, created.Type);
        Assert.Equal(["Id", "UserId", "RevisionDate"], created.Payload.Keys);
        Assert.Equal(folder.RequireUtcDate("revisionDate").UtcDateTime, created.Payload["RevisionDate"]);
        var renamed = await second.NextNotificationAsync();
        Assert.Equal(8, renamed.Type);
        var deleted = await second.NextNotificationAsync();
        Assert.Equal(3, deleted.Type);
        Assert.All([created, renamed, deleted], n => Assert.Equal(id, n.Id));
        Assert.All([created, renamed, deleted], n => Assert.Equal(devices.First.DeviceIdentifier, n.ContextId));
    }

    [Fact]
    public async Task RefusedChange_SendsNothing()
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        await using var second = await LiveSyncClient.ConnectAsync(Factory, devices.SecondToken);

        using var response = await devices.First.Client.PostJsonAsync("/api/ciphers", Payloads.LoginCipher(folderId: Guid.NewGuid().ToString()));
        Assert.False(response.IsSuccessStatusCode);
        await HubMarkers.SendMarkerAsync(devices.First.Client);

        await HubMarkers.AssertNextIsMarkerAsync(second);
    }

    [Fact]
    public async Task PasswordChange_LogsOutTheOtherDevices_AndClosesEveryConnection()
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        await using var first = await LiveSyncClient.ConnectAsync(Factory, devices.First.AccessToken);
        await using var second = await LiveSyncClient.ConnectAsync(Factory, devices.SecondToken);

        var body = AccountChanges.Password(devices.First, Fake.MasterPasswordHash(), Fake.EncString(), objects: false);
        using var response = await devices.First.Client.PostJsonAsync(AccountChanges.PasswordUrl, body);
        await response.ExpectSuccessAsync();

        var (toSecond, secondEnding) = await second.ReceiveUntilClosedAsync();
        var logOut = Assert.Single(toSecond);
        Assert.Null(secondEnding);
        Assert.Equal(11, logOut.Type);
        Assert.Equal(devices.First.DeviceIdentifier, logOut.ContextId);
        Assert.Equal(["UserId", "Date"], logOut.Payload.Keys);
        // The changing device logs itself out; its connection, opened with the old security stamp, ends all the same.
        var (toFirst, firstEnding) = await first.ReceiveUntilClosedAsync();
        Assert.Empty(toFirst);
        Assert.Null(firstEnding);
        Assert.Equal(401, await RawHub.RefusedStatusAsync(Factory, $"{LiveSyncClient.HubPath}?access_token={devices.SecondToken}"));
    }

    [Fact]
    public async Task EndingAllSessions_LogsOutEveryDevice_TheActingOneIncluded()
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        await using var first = await LiveSyncClient.ConnectAsync(Factory, devices.First.AccessToken);

        using var response = await devices.First.Client.PostJsonAsync(AccountChanges.SecurityStampUrl, AccountChanges.Secret(devices.First.Credentials.MasterPasswordHash));
        await response.ExpectSuccessAsync();

        var (messages, ending) = await first.ReceiveUntilClosedAsync();
        var logOut = Assert.Single(messages);
        Assert.Null(ending);
        Assert.Equal(11, logOut.Type);
        Assert.Null(logOut.ContextId);
    }

    [Theory]
    [InlineData("account deleted")]
    [InlineData("admin disabled")]
    [InlineData("admin ended sessions")]
    [InlineData("admin deleted")]
    public async Task AccountEnded_LogsOutEveryDevice_AndClosesTheirConnections(string change)
    {
        var account = await TestAccount.CreateAsync(Factory);
        await using var hub = await LiveSyncClient.ConnectAsync(Factory, account.AccessToken);

        var admin = change.StartsWith("admin", StringComparison.Ordinal) ? await Factory.CreateAdminAsync() : null;
        using var response = change switch
        {
            "account deleted" => await account.Client.SendJsonAsync(HttpMethod.Delete, "/api/accounts", AccountChanges.Secret(account.Credentials.MasterPasswordHash)),
            "admin disabled" => await admin!.Client.PostAsync($"/admin/api/users/{account.UserId}/disable", null),
            "admin ended sessions" => await admin!.Client.PostAsync($"/admin/api/users/{account.UserId}/logout", null),
            _ => await admin!.Client.DeleteAsync($"/admin/api/users/{account.UserId}"),
        };
        await response.ExpectSuccessAsync();

        var (messages, ending) = await hub.ReceiveUntilClosedAsync();
        var logOut = Assert.Single(messages);
        Assert.Null(ending);
        Assert.Equal(11, logOut.Type);
        Assert.Null(logOut.ContextId);
        Assert.Equal(account.UserId, logOut.Payload["UserId"]);
    }

    [Fact]
    public async Task DeviceRemoval_LogsOutThatDeviceAlone()
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        await using var first = await LiveSyncClient.ConnectAsync(Factory, devices.First.AccessToken);
        await using var second = await LiveSyncClient.ConnectAsync(Factory, devices.SecondToken);
        using var list = await devices.First.Client.GetAsync($"/api/devices/identifier/{devices.SecondIdentifier}");
        var secondId = (await list.ExpectObjectAsync()).RequireString("id");

        using var response = await devices.First.Client.PostJsonAsync($"/api/devices/{secondId}/deactivate", null);
        await response.ExpectSuccessAsync();
        await HubMarkers.SendMarkerAsync(devices.First.Client);

        var (messages, ending) = await second.ReceiveUntilClosedAsync();
        Assert.Equal(11, Assert.Single(messages).Type);
        Assert.Null(ending);
        await HubMarkers.AssertNextIsMarkerAsync(first);
    }

    [Fact]
    public async Task JsonProtocol_CarriesTheSameNotification()
    {
        var devices = await TwoDevices.CreateAsync(Factory);
        await using var second = await LiveSyncClient.ConnectAsync(Factory, devices.SecondToken, protocol: "json");

        var folder = await devices.First.CreateFolderAsync();

        var notification = await second.NextNotificationAsync();
        Assert.Equal(7, notification.Type);
        Assert.Equal(folder.RequireString("id"), notification.Id);
        Assert.Equal(devices.First.UserId, notification.Payload["UserId"]);
        Assert.Equal(folder.RequireUtcDate("revisionDate"), DateTimeOffset.Parse((string)notification.Payload["RevisionDate"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task IdleConnection_ReceivesPings()
    {
        var account = await TestAccount.CreateAsync(Factory);
        using var socket = await RawHub.ConnectAsync(Factory, account.AccessToken);

        // Ping [6] (doc §5.1), every PingSeconds (1 s here).
        Assert.Equal("029106", Convert.ToHexStringLower((await RawHub.ReceiveFrameAsync(socket)).Data));
        Assert.Equal("029106", Convert.ToHexStringLower((await RawHub.ReceiveFrameAsync(socket)).Data));
    }
}
