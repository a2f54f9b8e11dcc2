using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Files;
using Coffer.Server.Sends;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Sends;

/// <summary><c>bitwarden-sharing-features.md</c> §3.4–§3.7, §3.11 S-1…S-5: the owner's side of Send.</summary>
public sealed class SendTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task PostSend_Text_ReturnsTheOwnersSendObject()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var body = SendApi.Text(maxAccessCount: 3);

        var send = await SendApi.CreateTextAsync(owner, body);

        var id = Guid.Parse(send.RequireString("id"));
        Assert.Equal(SendAccessId.Encode(id), send.RequireString("accessId"));
        Assert.Equal(0, (int?)send["type"]);
        Assert.Equal((string?)body["name"], (string?)send["name"]);
        Assert.Equal((string?)body["key"], (string?)send["key"]);
        Assert.Equal((string?)body["text"]!["text"], (string?)send["text"]!["text"]);
        Assert.False(send["text"]!.AsObject().ContainsKey("response"));
        Assert.Null(send["file"]);
        Assert.Equal(3, (int?)send["maxAccessCount"]);
        Assert.Equal(0, (int?)send["accessCount"]);
        Assert.Null(send["password"]);
        Assert.Equal(2, (int?)send["authType"]);
        Assert.False((bool?)send["hideEmail"]);
        Assert.Equal("send", (string?)send["object"]);
    }

    [Fact]
    public async Task PostSend_WithPassword_AnswersAMarkerNotTheHash()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var hash = SendApi.PasswordHash();

        var send = await SendApi.CreateTextAsync(owner, SendApi.Text(hash));

        Assert.Equal(1, (int?)send["authType"]);
        Assert.NotNull(send["password"]);
        Assert.DoesNotContain(hash, send.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostSend_MaxAccessCountAsString_IsAccepted()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var body = SendApi.Text();
        body["maxAccessCount"] = "4";

        var send = await SendApi.CreateTextAsync(owner, body);

        Assert.Equal(4, (int?)send["maxAccessCount"]);
    }

    [Theory]
    [InlineData("fileOnTextRoute")]
    [InlineData("itemType")]
    [InlineData("emailAuth")]
    [InlineData("deletionIn40Days")]
    [InlineData("deletionInThePast")]
    [InlineData("noDeletionDate")]
    [InlineData("expirationAfterDeletion")]
    [InlineData("expirationInThePast")]
    [InlineData("nameNotEncString")]
    [InlineData("noKey")]
    [InlineData("noText")]
    [InlineData("negativeMaxAccess")]
    public async Task PostSend_Invalid_Returns400AndStoresNothing(string what)
    {
        var owner = await TestAccount.CreateAsync(factory);
        var body = SendApi.Text();
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        switch (what)
        {
            case "fileOnTextRoute": body["type"] = 1; break;
            case "itemType": body["type"] = 2; break;
            case "emailAuth": body["authType"] = 0; body["emails"] = "a@example.com"; break;
            case "deletionIn40Days": body["deletionDate"] = now.AddDays(40).ToString("O"); break;
            case "deletionInThePast": body["deletionDate"] = now.AddHours(-1).ToString("O"); break;
            case "noDeletionDate": body.Remove("deletionDate"); break;
            case "expirationAfterDeletion": body["expirationDate"] = now.AddDays(8).ToString("O"); break;
            case "expirationInThePast": body["expirationDate"] = now.AddHours(-1).ToString("O"); break;
            case "nameNotEncString": body["name"] = "plain text"; break;
            case "noKey": body.Remove("key"); break;
            case "noText": body.Remove("text"); break;
            case "negativeMaxAccess": body["maxAccessCount"] = -1; break;
        }

        using var response = await owner.Client.PostJsonAsync("/api/sends", body);

        await response.ExpectStatusAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await owner.SyncAsync()).RequireArray("sends"));
    }

    [Fact]
    public async Task PostSend_BumpsTheRevisionDateAndAppearsInSyncAndList()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var before = await owner.RevisionDateAsync();

        var send = await SendApi.CreateTextAsync(owner);

        Assert.True(await owner.RevisionDateAsync() > before);
        var synced = (await owner.SyncAsync()).RequireArray("sends");
        Assert.True(JsonNode.DeepEquals(send, Assert.Single(synced)));
        using var list = await owner.Client.GetAsync("/api/sends");
        var listed = await list.ExpectObjectAsync();
        Assert.Equal("list", (string?)listed["object"]);
        Assert.True(JsonNode.DeepEquals(send, Assert.Single(listed.RequireArray("data"))));
        using var one = await owner.Client.GetAsync($"/api/sends/{send.RequireString("id")}");
        Assert.True(JsonNode.DeepEquals(send, await one.ExpectObjectAsync()));
    }

    [Fact]
    public async Task PutSend_WithAuthTypeNoneAndNoPassword_KeepsThePassword()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var hash = SendApi.PasswordHash();
        var send = await SendApi.CreateTextAsync(owner, SendApi.Text(hash));
        var edit = SendApi.Text(maxAccessCount: 5);
        edit["key"] = send["key"]!.DeepClone();

        using var response = await owner.Client.PutJsonAsync($"/api/sends/{send.RequireString("id")}", edit);
        var edited = await response.ExpectObjectAsync();

        Assert.Equal(5, (int?)edited["maxAccessCount"]);
        Assert.Equal((string?)edit["name"], (string?)edited["name"]);
        Assert.NotNull(edited["password"]);
        Assert.Equal(1, (int?)edited["authType"]);
        using var withoutPassword = await SendApi.GrantAsync(factory.CreateClient(), send.RequireString("accessId"));
        Assert.Equal("password_hash_b64_required", (string?)(await withoutPassword.ExpectObjectAsync(HttpStatusCode.BadRequest))["send_access_error_type"]);
        Assert.NotEmpty(await SendApi.TokenAsync(factory.CreateClient(), send.RequireString("accessId"), hash));
    }

    [Fact]
    public async Task PutSend_WithANewPassword_ReplacesIt()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var send = await SendApi.CreateTextAsync(owner, SendApi.Text(SendApi.PasswordHash()));
        var newHash = SendApi.PasswordHash();

        using var response = await owner.Client.PutJsonAsync($"/api/sends/{send.RequireString("id")}", SendApi.Text(newHash));
        await response.ExpectObjectAsync();

        Assert.NotEmpty(await SendApi.TokenAsync(factory.CreateClient(), send.RequireString("accessId"), newHash));
    }

    [Fact]
    public async Task PutSend_ChangingTheType_Returns400()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var send = await SendApi.CreateTextAsync(owner);

        using var response = await owner.Client.PutJsonAsync($"/api/sends/{send.RequireString("id")}", SendApi.File(81));

        await response.ExpectStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RemovePassword_ClearsIt()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var send = await SendApi.CreateTextAsync(owner, SendApi.Text(SendApi.PasswordHash()));

        using var response = await owner.Client.SendEmptyAsync(HttpMethod.Put, $"/api/sends/{send.RequireString("id")}/remove-password");
        var cleared = await response.ExpectObjectAsync();

        Assert.Null(cleared["password"]);
        Assert.Equal(2, (int?)cleared["authType"]);
        Assert.NotEmpty(await SendApi.TokenAsync(factory.CreateClient(), send.RequireString("accessId")));
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("PUT", "")]
    [InlineData("DELETE", "")]
    [InlineData("PUT", "/remove-password")]
    [InlineData("PUT", "/remove-auth")]
    public async Task SendRoutes_OnAnotherUsersSend_Return404AndChangeNothing(string method, string suffix)
    {
        var owner = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var send = await SendApi.CreateTextAsync(owner, SendApi.Text(SendApi.PasswordHash()));

        using var response = await other.Client.SendJsonAsync(new HttpMethod(method), $"/api/sends/{send.RequireString("id")}{suffix}", method == "PUT" ? SendApi.Text() : null);

        await response.ExpectStatusAsync(HttpStatusCode.NotFound);
        Assert.True(JsonNode.DeepEquals(send, Assert.Single((await owner.SyncAsync()).RequireArray("sends"))));
    }

    [Fact]
    public async Task DeleteSend_RemovesItAndItsFile()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var send = await SendApi.CreateFileAsync(owner, SendApi.EncryptedFile());
        var key = BlobKeys.SendFile(Guid.Parse(send.RequireString("id")), send["file"].RequireString("id"));
        var store = factory.Services.GetRequiredService<IBlobStore>();
        await using (var stored = await store.OpenReadAsync(key, CancellationToken.None))
        {
            Assert.NotNull(stored);
        }

        using var response = await owner.Client.DeleteAsync($"/api/sends/{send.RequireString("id")}");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Empty((await owner.SyncAsync()).RequireArray("sends"));
        Assert.Null(await store.OpenReadAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task PostFileSend_ReturnsADirectUploadSlotWithTheFileId()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var body = SendApi.File(81);

        using var response = await owner.Client.PostJsonAsync("/api/sends/file/v2", body);
        var slot = await response.ExpectObjectAsync();

        Assert.Equal(0, (int?)slot["fileUploadType"]);
        Assert.Equal("send-fileUpload", (string?)slot["object"]);
        var send = Assert.IsType<JsonObject>(slot["sendResponse"]);
        var fileId = send["file"].RequireString("id");
        Assert.Matches("^[a-z0-9]{32}$", fileId);
        Assert.Equal($"/sends/{send.RequireString("id")}/file/{fileId}", (string?)slot["url"]);
        Assert.Equal("81", (string?)send["file"]!["size"]);
        Assert.Equal((string?)body["file"]!["fileName"], (string?)send["file"]!["fileName"]);
        Assert.Null(send["text"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    [InlineData(600L * 1024 * 1024)]
    public async Task PostFileSend_WithAnImpossibleLength_Returns400(long length)
    {
        var owner = await TestAccount.CreateAsync(factory);

        using var response = await owner.Client.PostJsonAsync("/api/sends/file/v2", SendApi.File(length));

        await response.ExpectStatusAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await owner.SyncAsync()).RequireArray("sends"));
    }

    [Fact]
    public async Task Upload_IntoAnotherUsersSend_Returns404()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        using var created = await owner.Client.PostJsonAsync("/api/sends/file/v2", SendApi.File(81));
        var send = (await created.ExpectObjectAsync())["sendResponse"]!;

        using var response = await SendApi.UploadAsync(other.Client, send.RequireString("id"), send["file"].RequireString("id"), SendApi.EncryptedFile());

        await response.ExpectStatusAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("longer", HttpStatusCode.BadRequest)]
    [InlineData("shorter", HttpStatusCode.BadRequest)]
    [InlineData("second", HttpStatusCode.BadRequest)]
    [InlineData("wrongFileId", HttpStatusCode.NotFound)]
    [InlineData("notEncrypted", HttpStatusCode.BadRequest)]
    public async Task Upload_ThatDoesNotFitTheSlot_IsRefused(string what, HttpStatusCode expected)
    {
        var owner = await TestAccount.CreateAsync(factory);
        var file = SendApi.EncryptedFile(2);
        using var created = await owner.Client.PostJsonAsync("/api/sends/file/v2", SendApi.File(file.Length));
        var send = (await created.ExpectObjectAsync())["sendResponse"]!;
        var id = send.RequireString("id");
        var fileId = send["file"].RequireString("id");
        if (what == "second")
        {
            using var first = await SendApi.UploadAsync(owner.Client, id, fileId, file);
            await first.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var upload = what switch
        {
            "longer" => SendApi.EncryptedFile(3),
            "shorter" => SendApi.EncryptedFile(1),
            "notEncrypted" => new byte[file.Length],
            _ => SendApi.EncryptedFile(2),
        };
        using var response = await SendApi.UploadAsync(owner.Client, id, what == "wrongFileId" ? new string('a', 32) : fileId, upload);

        await response.ExpectStatusAsync(expected);
        var key = BlobKeys.SendFile(Guid.Parse(id), fileId);
        await using var stored = await factory.Services.GetRequiredService<IBlobStore>().OpenReadAsync(key, CancellationToken.None);
        Assert.Equal(what == "second" ? file.Length : null, stored?.Length);
    }
}
