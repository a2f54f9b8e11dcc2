using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Sends;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Sends;

/// <summary><c>bitwarden-sharing-features.md</c> §3.8, §3.9, §3.11 S-7…S-14: the recipient's side of Send.</summary>
public sealed class SendAccessTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task Grant_ThenAccess_ReturnsTheEncryptedSendAndCountsIt()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var body = SendApi.Text();
        var send = await SendApi.CreateTextAsync(owner, body);
        var recipient = factory.CreateClient();
        var revision = await owner.RevisionDateAsync();

        using var grant = await SendApi.GrantAsync(recipient, send.RequireString("accessId"));
        var token = await grant.ExpectObjectAsync();
        Assert.Equal(120, (int?)token["expires_in"]);
        Assert.Equal("Bearer", (string?)token["token_type"]);
        Assert.Equal("api.send.access", (string?)token["scope"]);
        using var response = await SendApi.WithTokenAsync(recipient, token.RequireString("access_token"));
        var access = await response.ExpectObjectAsync();

        Assert.Equal("send-access", (string?)access["object"]);
        Assert.Equal(send.RequireString("accessId"), (string?)access["id"]);
        Assert.Equal((string?)body["name"], (string?)access["name"]);
        Assert.Equal((string?)body["text"]!["text"], (string?)access["text"]!["text"]);
        Assert.Equal(owner.Email, (string?)access["creatorIdentifier"]);
        foreach (var secret in new[] { "key", "notes", "password", "accessCount", "maxAccessCount", "deletionDate" })
        {
            Assert.False(access.ContainsKey(secret), secret);
        }

        // S-14: the owner sees the access, and their next sync fetches it.
        using var mine = await owner.Client.GetAsync($"/api/sends/{send.RequireString("id")}");
        Assert.Equal(1, (int?)(await mine.ExpectObjectAsync())["accessCount"]);
        Assert.True(await owner.RevisionDateAsync() > revision);
    }

    [Fact]
    public async Task Grant_ForAPasswordSend_AsksForTheHashAndChecksIt()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var hash = SendApi.PasswordHash();
        var send = await SendApi.CreateTextAsync(owner, SendApi.Text(hash));
        var recipient = factory.CreateClient();
        var accessId = send.RequireString("accessId");

        using var missing = await SendApi.GrantAsync(recipient, accessId);
        var missingError = await missing.ExpectObjectAsync(HttpStatusCode.BadRequest);
        using var wrong = await SendApi.GrantAsync(recipient, accessId, SendApi.PasswordHash());
        var wrongError = await wrong.ExpectObjectAsync(HttpStatusCode.BadRequest);
        var token = await SendApi.TokenAsync(recipient, accessId, hash);

        Assert.Equal(("invalid_request", "password_hash_b64_required"), ((string?)missingError["error"], (string?)missingError["send_access_error_type"]));
        Assert.Equal(("invalid_grant", "password_hash_b64_invalid"), ((string?)wrongError["error"], (string?)wrongError["send_access_error_type"]));
        using var response = await SendApi.WithTokenAsync(recipient, token);
        await response.ExpectObjectAsync();
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("garbage")]
    [InlineData("padded")]
    [InlineData("empty guid")]
    [InlineData("disabled")]
    [InlineData("expired")]
    [InlineData("exhausted")]
    [InlineData("deleted")]
    [InlineData("file not uploaded")]
    public async Task Grant_ForAnUnavailableSend_AnswersSendIdInvalidLikeAnUnknownOne(string what)
    {
        var owner = await TestAccount.CreateAsync(factory);
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        var body = SendApi.Text(maxAccessCount: what == "exhausted" ? 1 : null, expiration: what == "expired" ? now.AddMinutes(2) : null);
        body["disabled"] = what == "disabled";
        var send = what == "file not uploaded"
            ? (await (await owner.Client.PostJsonAsync("/api/sends/file/v2", SendApi.File(81))).ExpectObjectAsync())["sendResponse"]!.AsObject()
            : await SendApi.CreateTextAsync(owner, body);
        var accessId = send.RequireString("accessId");
        var recipient = factory.CreateClient();
        switch (what)
        {
            case "unknown": accessId = SendAccessId.Encode(Guid.NewGuid()); break;
            case "garbage": accessId = "../../etc/passwd%00"; break;
            case "padded": accessId += "=="; break;
            case "empty guid": accessId = "AAAAAAAAAAAAAAAAAAAAAA"; break;
            case "expired": factory.Clock.Advance(TimeSpan.FromMinutes(3)); break;
            case "exhausted":
                using (await SendApi.WithTokenAsync(recipient, await SendApi.TokenAsync(recipient, accessId)))
                {
                }

                break;
            case "deleted":
                using (await owner.Client.DeleteAsync($"/api/sends/{send.RequireString("id")}"))
                {
                }

                break;
        }

        var revision = await owner.RevisionDateAsync();
        using var response = await SendApi.GrantAsync(recipient, accessId);
        var error = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);

        Assert.Equal("invalid_grant", (string?)error["error"]);
        Assert.Equal("send_id_invalid", (string?)error["send_access_error_type"]);
        Assert.Equal("send_id is invalid.", (string?)error["error_description"]);
        Assert.Equal(revision, await owner.RevisionDateAsync());
    }

    [Fact]
    public async Task Grant_WithoutSendId_AnswersSendIdRequired()
    {
        using var response = await factory.CreateClient().PostFormAsync(IdentityApi.TokenUrl, new Dictionary<string, string>
        {
            ["client_id"] = "send",
            ["grant_type"] = "send_access",
            ["scope"] = "api.send.access",
        });

        var error = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(("invalid_request", "send_id_required"), ((string?)error["error"], (string?)error["send_access_error_type"]));
    }

    [Fact]
    public async Task SendToken_OnAUserRoute_Returns401()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var send = await SendApi.CreateTextAsync(owner);
        var token = await SendApi.TokenAsync(factory.CreateClient(), send.RequireString("accessId"));
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        using var sync = await client.GetAsync("/api/sync");
        using var sends = await client.GetAsync("/api/sends");

        await sync.ExpectStatusAsync(HttpStatusCode.Unauthorized);
        await sends.ExpectStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task UserToken_OnSendAccess_Returns401()
    {
        var owner = await TestAccount.CreateAsync(factory);

        using var response = await SendApi.WithTokenAsync(factory.CreateClient(), owner.AccessToken);
        using var none = await factory.CreateClient().PostAsync("/api/sends/access", null);

        await response.ExpectStatusAsync(HttpStatusCode.Unauthorized);
        await none.ExpectStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task FileSend_GrantAccessAndDownload_ReturnsTheUploadedBytes()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var file = SendApi.EncryptedFile(5);
        var send = await SendApi.CreateFileAsync(owner, file);
        var recipient = factory.CreateClient();
        var token = await SendApi.TokenAsync(recipient, send.RequireString("accessId"));

        using var accessResponse = await SendApi.WithTokenAsync(recipient, token);
        var access = await accessResponse.ExpectObjectAsync();
        var fileId = access["file"].RequireString("id");
        using var urlResponse = await SendApi.WithTokenAsync(recipient, token, $"/api/sends/access/file/{fileId}");
        var download = await urlResponse.ExpectObjectAsync();
        var url = new Uri(download.RequireString("url"));
        using var bytes = await factory.CreateClient().GetAsync(url.PathAndQuery);

        Assert.Equal("send-fileDownload", (string?)download["object"]);
        Assert.Equal(fileId, (string?)download["id"]);
        Assert.True(url.IsAbsoluteUri);
        Assert.Equal("https://localhost", url.GetLeftPart(UriPartial.Authority));
        await bytes.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal("application/octet-stream", bytes.Content.Headers.ContentType?.MediaType);
        Assert.Equal(file, await bytes.Content.ReadAsByteArrayAsync());
        Assert.Null(access["text"]);
        Assert.Equal(file.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)access["file"]!["size"]);
        // File Sends count when the URL is issued, not when the Send is read (§3.8).
        using var mine = await owner.Client.GetAsync($"/api/sends/{send.RequireString("id")}");
        Assert.Equal(1, (int?)(await mine.ExpectObjectAsync())["accessCount"]);
    }

    [Fact]
    public async Task SendToken_ForAnotherSendsFile_Returns404()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var mine = await SendApi.CreateFileAsync(owner, SendApi.EncryptedFile());
        var theirs = await SendApi.CreateFileAsync(owner, SendApi.EncryptedFile());
        var recipient = factory.CreateClient();
        var token = await SendApi.TokenAsync(recipient, mine.RequireString("accessId"));

        using var response = await SendApi.WithTokenAsync(recipient, token, $"/api/sends/access/file/{theirs["file"].RequireString("id")}");

        await response.ExpectStatusAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("otherFile")]
    [InlineData("expired")]
    [InlineData("noToken")]
    [InlineData("sendAccessToken")]
    [InlineData("deleted")]
    public async Task Download_WithoutTheRightToken_Returns404(string what)
    {
        var owner = await TestAccount.CreateAsync(factory);
        var send = await SendApi.CreateFileAsync(owner, SendApi.EncryptedFile());
        var other = await SendApi.CreateFileAsync(owner, SendApi.EncryptedFile());
        var recipient = factory.CreateClient();
        var accessToken = await SendApi.TokenAsync(recipient, send.RequireString("accessId"));
        using var urlResponse = await SendApi.WithTokenAsync(recipient, accessToken, $"/api/sends/access/file/{send["file"].RequireString("id")}");
        var url = new Uri((await urlResponse.ExpectObjectAsync()).RequireString("url"));
        var token = System.Web.HttpUtility.ParseQueryString(url.Query)["t"]!;
        var path = what switch
        {
            "otherFile" => $"/api/sends/{other.RequireString("id")}/{other["file"].RequireString("id")}?t={token}",
            "noToken" => url.AbsolutePath,
            "sendAccessToken" => $"{url.AbsolutePath}?t={accessToken}",
            _ => url.PathAndQuery,
        };
        if (what == "expired")
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(3));
        }
        else if (what == "deleted")
        {
            using var deleted = await owner.Client.DeleteAsync($"/api/sends/{send.RequireString("id")}");
            await deleted.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using var response = await factory.CreateClient().GetAsync(path);

        await response.ExpectStatusAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    // A bare ".." never reaches the server (clients and Kestrel resolve dot segments first), nor does a NUL
    // (Kestrel refuses the request line); encoded separators do, as one segment.
    [InlineData("..%2F..%2Fetc")]
    [InlineData("%2e%2e%2F%2e%2e%2Fpasswd")]
    [InlineData("..%5C..%5Cwindows")]
    [InlineData("%2Fetc%2Fpasswd")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")]
    public async Task Download_WithPathTricksInTheFileId_Returns404(string fileId)
    {
        var owner = await TestAccount.CreateAsync(factory);
        var send = await SendApi.CreateFileAsync(owner, SendApi.EncryptedFile());

        using var response = await factory.CreateClient().GetAsync($"/api/sends/{send.RequireString("id")}/{fileId}?t=x");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Access_OfASendThatHidesTheEmail_HasNoCreatorIdentifier(bool hideEmail)
    {
        var owner = await TestAccount.CreateAsync(factory);
        var send = await SendApi.CreateTextAsync(owner, SendApi.Text(hideEmail: hideEmail));
        var recipient = factory.CreateClient();

        using var viaToken = await SendApi.WithTokenAsync(recipient, await SendApi.TokenAsync(recipient, send.RequireString("accessId")));
        using var legacy = await recipient.PostJsonAsync($"/api/sends/access/{send.RequireString("accessId")}", new JsonObject());

        foreach (var access in new[] { await viaToken.ExpectObjectAsync(), await legacy.ExpectObjectAsync() })
        {
            Assert.True(access.ContainsKey("creatorIdentifier"));
            Assert.Equal(hideEmail ? null : owner.Email, (string?)access["creatorIdentifier"]);
        }
    }

    [Fact]
    public async Task RacingRecipients_ForTheLastAccess_ExactlyOneWins()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var send = await SendApi.CreateTextAsync(owner, SendApi.Text(maxAccessCount: 1));
        var recipients = Enumerable.Range(0, 8).Select(_ => factory.CreateClient()).ToList();
        // Every recipient holds a token before anyone reads: the count alone decides.
        var tokens = new List<string>();
        foreach (var recipient in recipients)
        {
            tokens.Add(await SendApi.TokenAsync(recipient, send.RequireString("accessId")));
        }

        var responses = await Task.WhenAll(recipients.Select((r, i) => SendApi.WithTokenAsync(r, tokens[i])));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.NotFound));
        using var mine = await owner.Client.GetAsync($"/api/sends/{send.RequireString("id")}");
        Assert.Equal(1, (int?)(await mine.ExpectObjectAsync())["accessCount"]);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task RacingRecipients_ForTheLastFileDownload_ExactlyOneGetsAUrl()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var send = await SendApi.CreateFileAsync(owner, SendApi.EncryptedFile(), maxAccessCount: 1);
        var fileId = send["file"].RequireString("id");
        var recipients = Enumerable.Range(0, 6).Select(_ => factory.CreateClient()).ToList();
        var tokens = new List<string>();
        foreach (var recipient in recipients)
        {
            tokens.Add(await SendApi.TokenAsync(recipient, send.RequireString("accessId")));
        }

        var responses = await Task.WhenAll(recipients.Select((r, i) => SendApi.WithTokenAsync(r, tokens[i], $"/api/sends/access/file/{fileId}")));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        using var mine = await owner.Client.GetAsync($"/api/sends/{send.RequireString("id")}");
        Assert.Equal(1, (int?)(await mine.ExpectObjectAsync())["accessCount"]);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task LegacyAccess_AsksForThePasswordWith401AndRefusesAWrongOneWith400()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var hash = SendApi.PasswordHash();
        var send = await SendApi.CreateTextAsync(owner, SendApi.Text(hash));
        var recipient = factory.CreateClient();
        var path = $"/api/sends/access/{send.RequireString("accessId")}";

        using var missing = await recipient.PostJsonAsync(path, new JsonObject());
        using var wrong = await recipient.PostJsonAsync(path, new JsonObject { ["password"] = SendApi.PasswordHash() });
        using var right = await recipient.PostJsonAsync(path, new JsonObject { ["password"] = hash });
        using var unknown = await recipient.PostJsonAsync($"/api/sends/access/{SendAccessId.Encode(Guid.NewGuid())}", new JsonObject());

        await missing.ExpectStatusAsync(HttpStatusCode.Unauthorized);
        await wrong.ExpectStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal("send-access", (string?)(await right.ExpectObjectAsync())["object"]);
        Assert.Equal(SendAccessEndpoints.Unavailable, (string?)(await unknown.ExpectObjectAsync(HttpStatusCode.NotFound))["message"]);
        using var mine = await owner.Client.GetAsync($"/api/sends/{send.RequireString("id")}");
        Assert.Equal(1, (int?)(await mine.ExpectObjectAsync())["accessCount"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LegacyFileAccess_ByGuidOrAccessId_ReturnsAWorkingUrl(bool byAccessId)
    {
        var owner = await TestAccount.CreateAsync(factory);
        var file = SendApi.EncryptedFile();
        var hash = SendApi.PasswordHash();
        var send = await SendApi.CreateFileAsync(owner, file, hash);
        var recipient = factory.CreateClient();
        var id = byAccessId ? send.RequireString("accessId") : send.RequireString("id");
        var path = $"/api/sends/{id}/access/file/{send["file"].RequireString("id")}";

        using var wrong = await recipient.PostJsonAsync(path, new JsonObject { ["password"] = SendApi.PasswordHash() });
        using var right = await recipient.PostJsonAsync(path, new JsonObject { ["password"] = hash });
        var url = new Uri((await right.ExpectObjectAsync()).RequireString("url"));
        using var bytes = await recipient.GetAsync(url.PathAndQuery);

        await wrong.ExpectStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal(file, await bytes.Content.ReadAsByteArrayAsync());
    }
}
