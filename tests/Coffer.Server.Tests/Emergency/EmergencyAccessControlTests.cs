using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Emergency;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.Organizations;

namespace Coffer.Server.Tests.Emergency;

/// <summary>
/// Who may do what to a grant (<c>bitwarden-sharing-features.md</c> §4.5, §4.8 E-1 … E-4, E-8, E-11, pitfalls 21 and
/// 26): every route per role (grantor, grantee, a third user) and per foreign id (another grantor's grant, a random
/// id, a deleted grant), each refused with 400 <c>Emergency Access not valid.</c>, never 403 or 404, and changing nothing.
/// </summary>
public sealed class EmergencyAccessControlTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    /// <summary>Every route about one grant: method, path after <c>/api/emergency-access/{id}</c>, and a body that would otherwise pass.</summary>
    public static readonly TheoryData<string, string> Routes = new()
    {
        { "GET", "" },
        { "PUT", "" },
        { "POST", "" },
        { "DELETE", "" },
        { "POST", "/delete" },
        { "POST", "/reinvite" },
        { "POST", "/confirm" },
        { "POST", "/initiate" },
        { "POST", "/approve" },
        { "POST", "/reject" },
        { "POST", "/view" },
        { "GET", "/{cipher}/attachment/{attachment}" },
        { "POST", "/takeover" },
        { "POST", "/password" },
        { "GET", "/policies" },
    };

    /// <summary>The routes only a grant's grantor may call.</summary>
    private static readonly string[] GrantorRoutes = ["GET ", "PUT ", "POST ", "POST /reinvite", "POST /confirm", "POST /approve", "POST /reject"];

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task EveryRoute_ByAThirdUser_Returns400_AndChangesNothing(string method, string path)
    {
        var (grantor, grantee, id, cipher, attachment) = await ApprovedViewGrantWithAttachmentAsync();
        var third = await TestAccount.CreateAsync(factory);

        // E-3: a valid grant id in the hands of an account that is neither side.
        await SendAsync(third, method, id, path, cipher, attachment).ExpectRefusedAsync();

        Assert.Equal(EmergencyAccessStatus.RecoveryApproved, await grantor.StatusAsync(id));
        await grantee.ExpectPostAsync(id, "view");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task EveryRoute_OnAnotherGrantorsGrant_Returns400(string method, string path)
    {
        var (_, _, id, cipher, attachment) = await ApprovedViewGrantWithAttachmentAsync();
        // The caller is a grantor and a grantee itself, of other grants: neither side of this one.
        var other = await TestAccount.CreateAsync(factory);
        await EmergencyApi.GrantAsync(other, await TestAccount.CreateAsync(factory), EmergencyAccessStatus.RecoveryApproved);
        await EmergencyApi.GrantAsync(await TestAccount.CreateAsync(factory), other, EmergencyAccessStatus.RecoveryApproved);

        await SendAsync(other, method, id, path, cipher, attachment).ExpectRefusedAsync();
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task EveryRoute_WithARandomId_Returns400(string method, string path)
    {
        var (grantor, grantee, _, cipher, attachment) = await ApprovedViewGrantWithAttachmentAsync();
        var random = Guid.NewGuid().ToString();

        await SendAsync(grantor, method, random, path, cipher, attachment).ExpectRefusedAsync();
        await SendAsync(grantee, method, random, path, cipher, attachment).ExpectRefusedAsync();
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task EveryRoute_OnADeletedGrant_Returns400(string method, string path)
    {
        var (grantor, grantee, id, cipher, attachment) = await ApprovedViewGrantWithAttachmentAsync();
        await grantor.ExpectPostAsync(id, "delete");

        await SendAsync(grantor, method, id, path, cipher, attachment).ExpectRefusedAsync();
        await SendAsync(grantee, method, id, path, cipher, attachment).ExpectRefusedAsync();
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task EveryRoute_ByTheWrongSide_Returns400(string method, string path)
    {
        var (grantor, grantee, id, cipher, attachment) = await ApprovedViewGrantWithAttachmentAsync();
        if (path == "/delete" || method == "DELETE")
        {
            // Either side may delete (§4.5): no wrong side.
            return;
        }

        // E-4: the grantor calling the grantee's routes and the other way round.
        var wrongSide = GrantorRoutes.Contains($"{method} {path}") ? grantee : grantor;
        await SendAsync(wrongSide, method, id, path, cipher, attachment).ExpectRefusedAsync();

        Assert.Equal(EmergencyAccessStatus.RecoveryApproved, await grantor.StatusAsync(id));
    }

    [Theory]
    [InlineData(EmergencyAccessStatus.Invited)]
    [InlineData(EmergencyAccessStatus.Accepted)]
    [InlineData(EmergencyAccessStatus.Confirmed)]
    [InlineData(EmergencyAccessStatus.RecoveryInitiated)]
    public async Task ViewAndTakeover_BeforeApproval_Return400(EmergencyAccessStatus status)
    {
        var grantor = await TestAccount.CreateAsync(factory);
        await grantor.CreateCipherAsync();
        var viewer = await TestAccount.CreateAsync(factory);
        var heir = await TestAccount.CreateAsync(factory);
        var view = await GrantAtAsync(grantor, viewer, status, EmergencyAccessType.View);
        var takeover = await GrantAtAsync(grantor, heir, status, EmergencyAccessType.Takeover);

        // E-1 and pitfall 21: no key and no item before RecoveryApproved.
        await viewer.PostAsync(view, "view").ExpectRefusedAsync();
        await heir.PostAsync(takeover, "takeover").ExpectRefusedAsync();
        await heir.PostAsync(takeover, "password", PasswordBody(grantor)).ExpectRefusedAsync();
        await heir.Client.GetAsync($"/api/emergency-access/{takeover}/policies").ExpectRefusedAsync();
    }

    [Fact]
    public async Task ViewGrant_CannotTakeOver_AndTakeoverGrant_CannotView()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var viewer = await TestAccount.CreateAsync(factory);
        var heir = await TestAccount.CreateAsync(factory);
        var view = await EmergencyApi.GrantAsync(grantor, viewer, EmergencyAccessStatus.RecoveryApproved, EmergencyAccessType.View);
        var takeover = await EmergencyApi.GrantAsync(grantor, heir, EmergencyAccessStatus.RecoveryApproved, EmergencyAccessType.Takeover);

        // E-2.
        await viewer.PostAsync(view, "takeover").ExpectRefusedAsync();
        await viewer.PostAsync(view, "password", PasswordBody(grantor)).ExpectRefusedAsync();
        await viewer.Client.GetAsync($"/api/emergency-access/{view}/policies").ExpectRefusedAsync();
        await heir.PostAsync(takeover, "view").ExpectRefusedAsync();
        Assert.NotNull(await AccountChanges.TryLoginAsync(factory, grantor.Email, grantor.Credentials.MasterPasswordHash));
    }

    [Theory]
    [InlineData(EmergencyAccessStatus.RecoveryInitiated)]
    [InlineData(EmergencyAccessStatus.RecoveryApproved)]
    public async Task Reject_ReturnsTheGrantToConfirmed_AndViewIsRefusedAgain(EmergencyAccessStatus from)
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await EmergencyApi.GrantAsync(grantor, grantee, from);

        await grantor.ExpectPostAsync(id, "reject");

        // E-8.
        Assert.Equal(EmergencyAccessStatus.Confirmed, await grantor.StatusAsync(id));
        await grantee.PostAsync(id, "view").ExpectRefusedAsync();
        // The grantee may ask again; the wait starts over.
        await grantee.ExpectPostAsync(id, "initiate");
        Assert.Equal(EmergencyAccessStatus.RecoveryInitiated, await grantor.StatusAsync(id));
    }

    [Theory]
    [InlineData(EmergencyAccessStatus.Invited)]
    [InlineData(EmergencyAccessStatus.Accepted)]
    [InlineData(EmergencyAccessStatus.Confirmed)]
    public async Task Reject_BeforeARequest_Returns400(EmergencyAccessStatus status)
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await GrantAtAsync(grantor, grantee, status, EmergencyAccessType.View);

        await grantor.PostAsync(id, "reject").ExpectRefusedAsync();
        await grantor.PostAsync(id, "approve").ExpectRefusedAsync();

        Assert.Equal(status, await grantor.StatusAsync(id));
    }

    [Theory]
    [InlineData(EmergencyAccessStatus.Invited)]
    [InlineData(EmergencyAccessStatus.Confirmed)]
    [InlineData(EmergencyAccessStatus.RecoveryInitiated)]
    [InlineData(EmergencyAccessStatus.RecoveryApproved)]
    public async Task Confirm_OutsideAccepted_Returns400(EmergencyAccessStatus status)
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await GrantAtAsync(grantor, grantee, status, EmergencyAccessType.View);

        // E-5: before acceptance no key may be wrapped for anyone; after confirmation the key is not replaced this way.
        await grantor.PostAsync(id, "confirm", new JsonObject { ["key"] = EmergencyApi.WrappedKey() }).ExpectRefusedAsync();

        Assert.Equal(status, await grantor.StatusAsync(id));
    }

    [Theory]
    [InlineData(EmergencyAccessStatus.Accepted)]
    [InlineData(EmergencyAccessStatus.RecoveryInitiated)]
    [InlineData(EmergencyAccessStatus.RecoveryApproved)]
    public async Task Initiate_OutsideConfirmed_Returns400(EmergencyAccessStatus status)
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await GrantAtAsync(grantor, grantee, status, EmergencyAccessType.View);

        await grantee.PostAsync(id, "initiate").ExpectRefusedAsync();

        Assert.Equal(status, await grantor.StatusAsync(id));
    }

    [Fact]
    public async Task Attachment_OfAnApprovedViewGrant_Downloads_UntilTheGrantorRejects()
    {
        var (grantor, grantee, id, cipher, attachment) = await ApprovedViewGrantWithAttachmentAsync();
        var bytes = await grantor.Client.GetByteArrayAsync(new Uri(new Uri(await grantor.DownloadUrlAsync(cipher, attachment)).PathAndQuery, UriKind.Relative));

        using var response = await grantee.Client.GetAsync($"/api/emergency-access/{id}/{cipher}/attachment/{attachment}");
        var body = await response.ExpectObjectAsync();
        var url = body.RequireString("url");

        Assert.Equal(attachment, body.RequireString("id"));
        Assert.Equal("attachment", body.RequireString("object"));
        Assert.StartsWith("https://localhost/", url, StringComparison.Ordinal);
        Assert.Equal(bytes, await factory.DownloadBytesAsync(url));

        await grantor.ExpectPostAsync(id, "reject");
        using var afterReject = await factory.DownloadAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, afterReject.StatusCode);
    }

    [Fact]
    public async Task Attachment_OfAnItemNotTheGrantorsPersonalOne_Returns400()
    {
        var (grantor, grantee, id, _, _) = await ApprovedViewGrantWithAttachmentAsync();
        var (ownCipher, ownAttachment, _) = await grantee.AddAttachmentAsync();
        var organization = await OrgHarness.CreateAsync(grantor);
        var organizationItem = (await grantor.CreateItemAsync(organization.Id, organization.FirstCollectionId!.Value)).RequireString("id");

        await grantee.Client.GetAsync($"/api/emergency-access/{id}/{ownCipher}/attachment/{ownAttachment}").ExpectRefusedAsync();
        await grantee.Client.GetAsync($"/api/emergency-access/{id}/{organizationItem}/attachment/{ownAttachment}").ExpectRefusedAsync();
    }

    [Fact]
    public async Task DownloadUrl_WithItsTokenForAnotherFile_Returns404()
    {
        var (grantor, grantee, id, cipher, attachment) = await ApprovedViewGrantWithAttachmentAsync();
        var (_, second, _) = await grantor.AddAttachmentAsync(cipher);
        using var response = await grantee.Client.GetAsync($"/api/emergency-access/{id}/{cipher}/attachment/{attachment}");
        var url = (await response.ExpectObjectAsync()).RequireString("url");

        using var swapped = await factory.DownloadAsync(url.Replace($"/{attachment}?", $"/{second}?", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.NotFound, swapped.StatusCode);
    }

    [Fact]
    public async Task View_ListsAttachmentsWithoutDownloadUrls()
    {
        var (_, grantee, id, cipher, attachment) = await ApprovedViewGrantWithAttachmentAsync();

        var view = (await grantee.ExpectPostAsync(id, "view"))!;

        var item = view.RequireArray("ciphers").ById(cipher)!;
        var entry = Assert.Single(item.RequireArray("attachments"))!;
        Assert.Equal(attachment, entry.RequireString("id"));
        Assert.Null(entry["url"]);
    }

    [Fact]
    public async Task EveryRoute_WhileEmergencyAccessIsDisabled_Returns400()
    {
        await using var disabled = new CofferFactory();
        disabled.Settings["Coffer:EmergencyAccess:Enabled"] = "false";
        var account = await TestAccount.CreateAsync(disabled);
        var other = await TestAccount.CreateAsync(disabled);
        var id = Guid.NewGuid().ToString();
        const string Disabled = "Emergency access is not enabled.";

        await account.Client.GetAsync("/api/emergency-access/trusted").ExpectRefusedAsync(Disabled);
        await account.Client.GetAsync("/api/emergency-access/granted").ExpectRefusedAsync(Disabled);
        await account.InviteRequestAsync(other.Email).ExpectRefusedAsync(Disabled);
        await account.PostAsync(id, "accept", new JsonObject { ["token"] = "x" }).ExpectRefusedAsync(Disabled);
        foreach (var (method, path) in Routes.Select(r => ((string)r[0], (string)r[1])))
        {
            await SendAsync(account, method, id, path, Guid.NewGuid().ToString(), "abc").ExpectRefusedAsync(Disabled);
        }

        using var key = await account.Client.GetAsync(AccountChanges.RotationDataUrl);
        Assert.Empty((await key.ExpectObjectAsync()).RequireArray("emergencyAccessKeyData"));
    }

    private async Task<(TestAccount Grantor, TestAccount Grantee, string Id, string Cipher, string Attachment)> ApprovedViewGrantWithAttachmentAsync()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var (cipher, attachment, _) = await grantor.AddAttachmentAsync();
        var id = await EmergencyApi.GrantAsync(grantor, grantee, EmergencyAccessStatus.RecoveryApproved);
        return (grantor, grantee, id, cipher, attachment);
    }

    /// <summary>A grant at <paramref name="status"/>; Invited needs an address with no account yet (without mail, an account is Accepted at once).</summary>
    private static async Task<string> GrantAtAsync(TestAccount grantor, TestAccount grantee, EmergencyAccessStatus status, EmergencyAccessType type) =>
        status == EmergencyAccessStatus.Invited
            ? await grantor.InviteAsync(Fake.Email(), (int)type)
            : await EmergencyApi.GrantAsync(grantor, grantee, status, type);

    private static JsonObject PasswordBody(TestAccount grantor) =>
        new() { ["newMasterPasswordHash"] = Fake.MasterPasswordHash(), ["key"] = Fake.EncString(), ["salt"] = grantor.Credentials.Salt };

    private static Task<HttpResponseMessage> SendAsync(TestAccount caller, string method, string id, string path, string cipher, string attachment)
    {
        var url = $"/api/emergency-access/{id}{path.Replace("{cipher}", cipher, StringComparison.Ordinal).Replace("{attachment}", attachment, StringComparison.Ordinal)}";
        JsonObject? body = path switch
        {
            "" when method is "PUT" or "POST" => new JsonObject { ["type"] = 1, ["waitTimeDays"] = 1, ["keyEncrypted"] = EmergencyApi.WrappedKey() },
            "/confirm" => new JsonObject { ["key"] = EmergencyApi.WrappedKey() },
            "/password" => new JsonObject { ["newMasterPasswordHash"] = Fake.MasterPasswordHash(), ["key"] = Fake.EncString() },
            _ => null,
        };
        return body is null ? caller.Client.SendEmptyAsync(new HttpMethod(method), url) : caller.Client.SendJsonAsync(new HttpMethod(method), url, body);
    }
}
