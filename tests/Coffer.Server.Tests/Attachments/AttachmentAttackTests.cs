using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Files;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Attachments;

/// <summary>
/// <c>bitwarden-sharing-features.md</c> §2.10, A-1 to A-12 (A-11 is in <see cref="OrgAttachmentTests"/>): each one a bug
/// another server once had. Never a 403, which would log the CLI out.
/// </summary>
public sealed class AttachmentAttackTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Theory]
    [InlineData("/attachments/..%2F..%2Fconfig.json/x")]
    [InlineData("/attachments/..%2F..%2F/x")]
    [InlineData("/attachments/{cipher}/..%2F..%2Fcoffer.db")]
    [InlineData("/attachments/{cipher}/%2e%2e")]
    [InlineData("/attachments/{cipher}/..%5C..%5Cx")]
    [InlineData("/attachments/{cipher}/{attachment}%20")]
    [InlineData("/attachments/{cipher}/{attachment}.")]
    [InlineData("/attachments/{cipher}/%2Fetc%2Fpasswd")]
    [InlineData("/attachments/{cipher}/{ATTACHMENT}")]
    public async Task A1_Download_WithPathTricksInIds_Returns404(string path)
    {
        var account = await TestAccount.CreateAsync(factory);
        var (cipherId, attachmentId, _) = await account.AddAttachmentAsync();
        var url = new Uri(await account.DownloadUrlAsync(cipherId, attachmentId));
        File.WriteAllText(Path.Combine(factory.DataFolder, "config.json"), "secret");

        var tricked = path.Replace("{cipher}", cipherId, StringComparison.Ordinal)
            .Replace("{attachment}", attachmentId, StringComparison.Ordinal).Replace("{ATTACHMENT}", attachmentId.ToUpperInvariant(), StringComparison.Ordinal);
        using var response = await factory.Anonymous().GetAsync(new Uri(tricked + url.Query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("secret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/ciphers/{cipher}/attachment/..%2F..%2Fx")]
    [InlineData("/api/ciphers/{cipher}/attachment/%2e%2e%2Fx")]
    [InlineData("/api/ciphers/{cipher}/attachment/a%20b")]
    [InlineData("/api/ciphers/{cipher}/attachment/ABC")]
    public async Task A1_ApiRoutes_WithPathTricksInIds_Return404(string path)
    {
        var account = await TestAccount.CreateAsync(factory);
        var (cipherId, _, _) = await account.AddAttachmentAsync();
        var url = path.Replace("{cipher}", cipherId, StringComparison.Ordinal);

        using var get = await account.Client.GetAsync(new Uri(url, UriKind.Relative));
        using var delete = await account.Client.DeleteAsync(new Uri(url, UriKind.Relative));
        using var upload = await account.Client.PostAsync(new Uri(url, UriKind.Relative), FileApi.Multipart(FileApi.EncryptedFile()));

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, upload.StatusCode);
    }

    [Fact]
    public async Task A2_Download_WithoutToken_ExpiredToken_OrAnotherFilesToken_Returns404()
    {
        var account = await TestAccount.CreateAsync(factory);
        var (cipherId, attachmentId, bytes) = await account.AddAttachmentAsync();
        var (otherCipher, otherAttachment, _) = await account.AddAttachmentAsync();
        var (_, sameCipherOther, _) = await account.AddAttachmentAsync(cipherId);
        var url = new Uri(await account.DownloadUrlAsync(cipherId, attachmentId));
        var otherQuery = new Uri(await account.DownloadUrlAsync(otherCipher, otherAttachment)).Query;
        var siblingQuery = new Uri(await account.DownloadUrlAsync(cipherId, sameCipherOther)).Query;
        var accessToken = account.AccessToken;

        var attempts = new[]
        {
            url.AbsolutePath,
            url.AbsolutePath + "?token=",
            url.AbsolutePath + "?token=not.a.jwt",
            url.AbsolutePath + otherQuery,
            url.AbsolutePath + siblingQuery,
            url.AbsolutePath + "?token=" + accessToken,
            $"/attachments/{otherCipher}/{attachmentId}{url.Query}",
        };
        foreach (var attempt in attempts)
        {
            using var response = await factory.Anonymous().GetAsync(new Uri(attempt, UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(bytes, await factory.DownloadBytesAsync(url.ToString()));
        factory.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(2));
        using var expired = await factory.DownloadAsync(url.ToString());
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
    }

    [Fact]
    public async Task A2_ScopedTokenOfAnotherPurpose_IsRefused()
    {
        var account = await TestAccount.CreateAsync(factory);
        var (cipherId, attachmentId, _) = await account.AddAttachmentAsync();
        var tokens = factory.Services.GetRequiredService<ScopedTokens>();
        var sendToken = tokens.Create(ScopedTokens.SendDownload, $"{cipherId}/{attachmentId}", TimeSpan.FromMinutes(2), Guid.Parse(account.UserId));
        var unbound = tokens.Create(ScopedTokens.AttachmentDownload, $"{cipherId}/{attachmentId}", TimeSpan.FromMinutes(2));

        using var send = await factory.Anonymous().GetAsync(new Uri($"/attachments/{cipherId}/{attachmentId}?token={sendToken}", UriKind.Relative));
        using var noUser = await factory.Anonymous().GetAsync(new Uri($"/attachments/{cipherId}/{attachmentId}?token={unbound}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, send.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noUser.StatusCode);
    }

    [Fact]
    public async Task Upload_ThatIsNotMultipart_IsRefusedWithABitwardenError_NothingStored()
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");
        var attachmentId = (await account.ReserveAsync(cipherId, 81)).RequireString("attachmentId");

        using var content = new ByteArrayContent(FileApi.EncryptedFile());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        using var response = await account.Client.PostAsync(new Uri($"/api/ciphers/{cipherId}/attachment/{attachmentId}", UriKind.Relative), content);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType, response.StatusCode.ToString());
        Assert.NotNull((await response.ReadJsonAsync())?["message"]);
        Assert.Null(await factory.StoredAttachmentAsync(cipherId, attachmentId));
    }

    [Fact]
    public async Task A3_DownloadUrl_OfAnotherUsersAttachment_Returns404_AndMintsNothing()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var (cipherId, attachmentId, _) = await owner.AddAttachmentAsync();

        using var response = await other.Client.GetAsync(new Uri($"/api/ciphers/{cipherId}/attachment/{attachmentId}", UriKind.Relative));
        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);

        Assert.DoesNotContain("token", error.ToJsonString(), StringComparison.Ordinal);
        using var delete = await other.Client.DeleteAsync(new Uri($"/api/ciphers/{cipherId}/attachment/{attachmentId}", UriKind.Relative));
        await delete.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        using var slot = await other.ReserveRequestAsync(cipherId, 81);
        await slot.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.NotNull(await factory.StoredAttachmentAsync(cipherId, attachmentId));
    }

    [Fact]
    public async Task A4_DownloadUrl_OfMyCipherWithAnotherCiphersAttachment_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var mine = (await account.CreateCipherAsync()).RequireString("id");
        var (_, attachmentId, _) = await account.AddAttachmentAsync();

        using var response = await account.Client.GetAsync(new Uri($"/api/ciphers/{mine}/attachment/{attachmentId}", UriKind.Relative));

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Attachment doesn't belong to cipher.", (string?)error["message"]);
    }

    [Fact]
    public async Task A5_UploadFarBiggerThanDeclared_IsRefused_NothingStored_QuotaUnchanged()
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");
        var attachmentId = (await account.ReserveAsync(cipherId, 81)).RequireString("attachmentId");
        var used = await factory.UsedStorageAsync(account.UserId);

        using var response = await account.UploadRequestAsync(cipherId, attachmentId, FileApi.EncryptedFile(3 * 1024 * 1024));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Null(await factory.StoredAttachmentAsync(cipherId, attachmentId));
        Assert.Equal(used, await factory.UsedStorageAsync(account.UserId));
        Assert.Null((await account.SyncedCipherAsync(cipherId))!["attachments"]);
    }

    [Fact]
    public async Task UploadOfADifferentSizeThanDeclared_BeyondTheLeeway_IsRefused_EvenWhenSmaller()
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");
        var attachmentId = (await account.ReserveAsync(cipherId, 3 * 1024 * 1024)).RequireString("attachmentId");

        using var response = await account.UploadRequestAsync(cipherId, attachmentId, FileApi.EncryptedFile());

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Null(await factory.StoredAttachmentAsync(cipherId, attachmentId));
    }

    [Fact]
    public async Task A6_UploadBeyondTheQuota_WithASmallDeclaredSize_IsRefused_NothingStored()
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:Files:AccountQuotaBytes"] = "65536";
        var account = await TestAccount.CreateAsync(server);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");
        var attachmentId = (await account.ReserveAsync(cipherId, 81)).RequireString("attachmentId");

        using var response = await account.UploadRequestAsync(cipherId, attachmentId, FileApi.EncryptedFile(100 * 1024));

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Contains("storage", error.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.Null(await server.StoredAttachmentAsync(cipherId, attachmentId));
        Assert.Equal(81, await server.UsedStorageAsync(account.UserId));
    }

    [Fact]
    public async Task Quota_SlotBeyondIt_IsRefused_AndUnlimitedWhenZero()
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:Files:AccountQuotaBytes"] = "4096";
        var account = await TestAccount.CreateAsync(server);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");
        await account.AddAttachmentAsync(cipherId, 3000);

        using var refused = await account.ReserveRequestAsync(cipherId, 2000);
        var error = await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains("Not enough storage", error.ToJsonString(), StringComparison.Ordinal);
        Assert.Single((await account.SyncedCipherAsync(cipherId)).RequireArray("attachments"));

        await using var unlimited = new CofferFactory();
        unlimited.Settings["Coffer:Files:AccountQuotaBytes"] = "0";
        var free = await TestAccount.CreateAsync(unlimited);
        using var accepted = await free.ReserveRequestAsync((await free.CreateCipherAsync()).RequireString("id"), 400L * 1024 * 1024);
        await accepted.ExpectSuccessAsync();
    }

    [Fact]
    public async Task RacingSlots_ForTheLastFreeBytes_ExactlyOneIsReserved()
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:Files:AccountQuotaBytes"] = "4096";
        var account = await TestAccount.CreateAsync(server);
        var cipherIds = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            // One item each, so the items' own revision checks cannot be what refuses the others.
            cipherIds.Add((await account.CreateCipherAsync()).RequireString("id"));
        }

        var answers = await Task.WhenAll(cipherIds.Select(id => account.ReserveRequestAsync(id, 3000)));

        Assert.Single(answers, a => a.IsSuccessStatusCode);
        Assert.All(answers.Where(a => !a.IsSuccessStatusCode), a => Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode));
        Assert.Equal(3000, await server.UsedStorageAsync(account.UserId));
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task MaxFileSize_SlotAndUploadBeyondIt_AreRefused()
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:Files:MaxFileBytes"] = "4096";
        var account = await TestAccount.CreateAsync(server);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");

        using var slot = await account.ReserveRequestAsync(cipherId, 5000);
        var error = await slot.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        var attachmentId = (await account.ReserveAsync(cipherId, 4000)).RequireString("attachmentId");
        using var upload = await account.UploadRequestAsync(cipherId, attachmentId, FileApi.EncryptedFile(8000));

        Assert.Contains("Max file size", error.ToJsonString(), StringComparison.Ordinal);
        await upload.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Null(await server.StoredAttachmentAsync(cipherId, attachmentId));
    }

    [Fact]
    public async Task A7_UploadIntoAnotherUsersSlot_Returns404_NothingStored()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var attacker = await TestAccount.CreateAsync(factory);
        var cipherId = (await owner.CreateCipherAsync()).RequireString("id");
        var attachmentId = (await owner.ReserveAsync(cipherId, 81)).RequireString("attachmentId");

        using var response = await attacker.UploadRequestAsync(cipherId, attachmentId, FileApi.EncryptedFile());

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.Null(await factory.StoredAttachmentAsync(cipherId, attachmentId));
    }

    [Fact]
    public async Task A8_Attachments2NamingAnotherUsersAttachment_LeavesItUnchanged()
    {
        var victim = await TestAccount.CreateAsync(factory);
        var attacker = await TestAccount.CreateAsync(factory);
        var (victimCipher, victimAttachment, _) = await victim.AddAttachmentAsync();
        var before = (await victim.SyncedCipherAsync(victimCipher)).RequireArray("attachments").ById(victimAttachment)!.ToJsonString();
        var mine = await attacker.CreateCipherAsync();
        var edit = Payloads.LoginCipher();
        edit["attachments2"] = new JsonObject { [victimAttachment] = new JsonObject { ["fileName"] = Fake.EncString(), ["key"] = Fake.EncString() } };

        using var put = await attacker.Client.PutJsonAsync($"/api/ciphers/{mine.RequireString("id")}", edit);
        await put.ExpectSuccessAsync();
        using var clone = await attacker.Client.PostJsonAsync("/api/ciphers", edit);
        var cloned = await clone.ExpectObjectAsync();

        Assert.Equal(before, (await victim.SyncedCipherAsync(victimCipher)).RequireArray("attachments").ById(victimAttachment)!.ToJsonString());
        Assert.Null(cloned["attachments"]);
    }

    [Fact]
    public async Task A10_SecondUploadIntoAnUploadedSlot_Returns400_AndKeepsTheFirstFile()
    {
        var account = await TestAccount.CreateAsync(factory);
        var (cipherId, attachmentId, bytes) = await account.AddAttachmentAsync();

        using var response = await account.UploadRequestAsync(cipherId, attachmentId, FileApi.EncryptedFile());

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(bytes, await factory.StoredAttachmentAsync(cipherId, attachmentId));
    }

    [Fact]
    public async Task RacingUploadsIntoOneSlot_StoreExactlyOneFile()
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");
        var attachmentId = (await account.ReserveAsync(cipherId, 81)).RequireString("attachmentId");
        var files = Enumerable.Range(0, 4).Select(_ => FileApi.EncryptedFile()).ToList();

        var responses = await Task.WhenAll(files.Select(f => account.UploadRequestAsync(cipherId, attachmentId, f)));

        Assert.Single(responses, r => r.IsSuccessStatusCode);
        Assert.All(responses.Where(r => !r.IsSuccessStatusCode), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        var stored = await factory.StoredAttachmentAsync(cipherId, attachmentId);
        Assert.Contains(files, f => f.SequenceEqual(stored!));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("\"abc\"")]
    [InlineData("\"-5\"")]
    [InlineData("1.5")]
    [InlineData("null")]
    public async Task A12_BadFileSize_Returns400(string fileSize)
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");

        using var response = await account.Client.PostJsonAsync($"/api/ciphers/{cipherId}/attachment/v2", FileApi.SlotRequest(JsonNode.Parse(fileSize)));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(0, await factory.UsedStorageAsync(account.UserId));
    }

    [Fact]
    public async Task A12_FileSizeAsAStringOfInvalidUtf8_Returns400()
    {
        // Found by the fuzz test (seed 7588231112844689469): the string reached GetString() and answered 500.
        var account = await TestAccount.CreateAsync(factory);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");
        var request = FileApi.SlotRequest(81).ToJsonString().Replace("\"fileSize\":81", "\"fileSize\":\"8~\"", StringComparison.Ordinal);
        byte[] body = [.. System.Text.Encoding.UTF8.GetBytes(request)];
        var at = Array.IndexOf(body, (byte)'~');
        body[at] = 0xFF;
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await account.Client.PostAsync(new Uri($"/api/ciphers/{cipherId}/attachment/v2", UriKind.Relative), content);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(0, await factory.UsedStorageAsync(account.UserId));
    }

    [Fact]
    public async Task A12_FileSizeAsANumericString_IsAccepted()
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");

        using var response = await account.Client.PostJsonAsync($"/api/ciphers/{cipherId}/attachment/v2", FileApi.SlotRequest("81"));

        Assert.Equal("81", (await response.ExpectObjectAsync())["cipherResponse"].RequireArray("attachments")[0].RequireString("size"));
    }

    [Fact]
    public async Task Slot_WithAStaleRevisionDate_OrWithoutNameOrKey_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");
        var noName = FileApi.SlotRequest(81);
        noName.Remove("fileName");
        var noKey = FileApi.SlotRequest(81);
        noKey["key"] = "";

        foreach (var body in new[] { FileApi.SlotRequest(81, lastKnownRevisionDate: "2020-01-01T00:00:00.000Z"), noName, noKey })
        {
            using var response = await account.Client.PostJsonAsync($"/api/ciphers/{cipherId}/attachment/v2", body);
            await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        Assert.Null((await account.SyncedCipherAsync(cipherId))!["attachments"]);
    }

    [Theory]
    [InlineData("data", 81, 1)]
    [InlineData("file", 81, 2)]
    [InlineData("data", 80, 2)]
    public async Task Upload_ThatIsNotOneEncryptedDataPart_Returns400_NothingStored(string partName, int length, byte type)
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");
        var attachmentId = (await account.ReserveAsync(cipherId, 81)).RequireString("attachmentId");
        var bytes = new byte[length];
        bytes[0] = type;

        using var content = FileApi.Multipart(bytes, partName);
        using var response = await account.Client.PostAsync(new Uri($"/api/ciphers/{cipherId}/attachment/{attachmentId}", UriKind.Relative), content);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Null(await factory.StoredAttachmentAsync(cipherId, attachmentId));
    }
}
