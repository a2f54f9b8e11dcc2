using System.Security.Cryptography;
using System.Text;
using Coffer.E2E.Tests.Harness;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// Attachments and Send in the web vault against the real server: files encrypted in the browser and read back by
/// the browser and by bw, a file attached with bw opened in the browser, and Send links opened in a fresh browser
/// context that has no account (sharing doc §2, §3).
/// </summary>
public sealed class WebFilesTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task AttachmentAddedInTheBrowser_DownloadsWithTheSameBytes_IsReadByBw_AndDeletes()
    {
        var account = TestAccount.CreateUnique();
        var web = await WebVault.OpenAsync(fixture);
        web.Page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await web.RegisterAsync(account);
        await web.StartNewItemAsync("login");
        await web.Field("Name").FillAsync("Bank");
        await web.SaveItemAsync("Bank");
        var content = RandomNumberGenerator.GetBytes(300_000);

        await web.Field("File to attach").SetInputFilesAsync(new FilePayload { Name = "recovery codes.bin", MimeType = "application/octet-stream", Buffer = content });
        await web.Button("Upload").ClickAsync();
        await Assertions.Expect(web.Page.GetByRole(AriaRole.Status).Filter(new() { HasTextString = "attached" })).ToHaveTextAsync("recovery codes.bin attached.");
        var listed = await web.Page.GetByTestId("attachment-list").Locator(".name").AllTextContentsAsync();
        await Screenshots.SaveAsync(web.Page, "item-attachments");
        var download = await DownloadAsync(web, "Download recovery codes.bin");
        var downloaded = await File.ReadAllBytesAsync(await download.PathAsync());

        var bw = fixture.E2E.NewBw(account);
        await bw.LoginAsync(fixture.Url);
        var item = await bw.JsonAsync("bw get item Bank", "get", "item", "Bank");
        var output = Path.Combine(fixture.E2E.NewScratchFolder(), "from-bw.bin");
        await bw.OkAsync("bw get attachment", "get", "attachment", "recovery codes.bin", "--itemid", item.Id(), "--output", output);

        await web.Button("Delete attachment recovery codes.bin").ClickAsync();
        await Assertions.Expect(web.Page.GetByRole(AriaRole.Status).Filter(new() { HasTextString = "deleted" })).ToHaveTextAsync("recovery codes.bin deleted.");
        await Assertions.Expect(web.Page.GetByText("No files attached.")).ToBeVisibleAsync();
        await bw.OkAsync("bw sync", "sync");
        var afterDelete = await bw.JsonAsync("bw get item Bank (after delete)", "get", "item", "Bank");

        Assert.Equal(["recovery codes.bin"], listed);
        Assert.Equal("recovery codes.bin", download.SuggestedFilename);
        Assert.Equal(content, downloaded);
        Assert.Equal(content, await File.ReadAllBytesAsync(output));
        Assert.True(afterDelete.TryGetProperty("attachments", out var attachments) is false
            || attachments.ValueKind == System.Text.Json.JsonValueKind.Null || attachments.GetArrayLength() == 0);
    }

    [Fact]
    public async Task AttachmentAddedWithBw_DownloadsInTheBrowser()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.E2E.RegisterAndLoginBwAsync(account);
        var item = await bw.JsonAsync("bw create item", "create", "item", BwClient.Encode(new { type = 2, name = "Passport", secureNote = new { type = 0 } }));
        var file = Path.Combine(fixture.E2E.NewScratchFolder(), "passport scan.pdf");
        var content = Encoding.UTF8.GetBytes("%PDF-1.7 pretend scan ✓ " + new string('x', 5000));
        await File.WriteAllBytesAsync(file, content);
        await bw.JsonAsync("bw create attachment", "create", "attachment", "--file", file, "--itemid", item.Id());

        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(account.Email, account.Password);
        await web.OpenItemAsync("Passport");
        var download = await DownloadAsync(web, "Download passport scan.pdf");

        Assert.Equal("passport scan.pdf", download.SuggestedFilename);
        Assert.Equal(content, await File.ReadAllBytesAsync(await download.PathAsync()));
    }

    [Fact]
    public async Task TextSendWithPassword_OpensInAFreshContextWithoutAnAccount_CountsTheAccess_AndStopsWhenDeleted()
    {
        var account = TestAccount.CreateUnique();
        var web = await WebVault.OpenAsync(fixture);
        web.Page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await web.RegisterAsync(account);
        await web.NavigateAsync("Send");
        await web.Button("New text Send").ClickAsync();
        await web.Field("Name").FillAsync("Guest Wi-Fi");
        await web.Field("Text").FillAsync("network: Home ✓\npassword: hunter2-hunter2");
        await web.Field("Maximum access count").FillAsync("3");
        await web.Field("Password").FillAsync("open sesame");
        await web.Field("Hide my e-mail address from recipients").CheckAsync();
        await web.Button("Save").ClickAsync();
        var link = (await web.Page.GetByTestId("send-link").InnerTextAsync()).Trim();

        var guest = new WebVault(await fixture.NewPageAsync());
        await guest.Page.GotoAsync(link);
        await guest.Field("Password").FillAsync("wrong guess");
        await guest.Button("Open").ClickAsync();
        await Assertions.Expect(guest.Alert).ToHaveTextAsync("Wrong password.");
        await guest.Field("Password").FillAsync("open sesame");
        await guest.Button("Open").ClickAsync();
        await guest.Heading("Guest Wi-Fi").WaitForAsync();
        var text = await guest.Field("Text").InputValueAsync();
        var creator = await guest.Page.GetByTestId("send-creator").InnerTextAsync();
        await Screenshots.SaveAsync(guest.Page, "send-receive");

        // The owner's list shows the access once the vault has synced.
        await web.NavigateAsync("Vault");
        await web.Button("Sync").ClickAsync();
        await web.NavigateAsync("Send");
        var row = web.Page.GetByTestId("send-list").Locator("li").Filter(new() { HasTextString = "Guest Wi-Fi" });
        await Assertions.Expect(row.GetByTestId("send-details")).ToContainTextAsync("opened 1 of 3 times");
        var details = await row.GetByTestId("send-details").InnerTextAsync();
        await Screenshots.SaveAsync(web.Page, "sends");
        await web.Button("Delete Send Guest Wi-Fi").ClickAsync();
        await Assertions.Expect(web.Page.GetByText("No Sends yet.")).ToBeVisibleAsync();
        var gone = new WebVault(await fixture.NewPageAsync());
        await gone.Page.GotoAsync(link);

        Assert.StartsWith($"{fixture.Url}/#/send/", link, StringComparison.Ordinal);
        Assert.Equal("network: Home ✓\npassword: hunter2-hunter2", text);
        Assert.DoesNotContain(account.Email, creator, StringComparison.Ordinal);
        Assert.Contains("password", details, StringComparison.Ordinal);
        await Assertions.Expect(gone.Alert).ToHaveTextAsync("This Send does not exist or is no longer available.");
    }

    [Fact]
    public async Task FileSend_DownloadsInAFreshContext_AndAnEditKeepsTheLink()
    {
        var account = TestAccount.CreateUnique();
        var web = await WebVault.OpenAsync(fixture);
        await web.RegisterAsync(account);
        await web.NavigateAsync("Send");
        await web.Button("New file Send").ClickAsync();
        await web.Field("Name").FillAsync("Contract");
        var content = RandomNumberGenerator.GetBytes(70_000);
        await web.Field("File").SetInputFilesAsync(new FilePayload { Name = "contract.pdf", MimeType = "application/pdf", Buffer = content });
        await web.Button("Save").ClickAsync();
        var link = (await web.Page.GetByTestId("send-link").InnerTextAsync()).Trim();
        await web.Page.GetByRole(AriaRole.Link, new() { Name = "Back to Send" }).ClickAsync();
        await web.Button("Edit Contract").ClickAsync();
        await web.Field("Name").FillAsync("Contract v2");
        await web.Button("Save").ClickAsync();
        await web.Page.GetByTestId("send-list").Locator("li").Filter(new() { HasTextString = "Contract v2" }).WaitForAsync();

        var guest = new WebVault(await fixture.NewPageAsync());
        await guest.Page.GotoAsync(link);
        await guest.Heading("Contract v2").WaitForAsync();
        var creator = await guest.Page.GetByTestId("send-creator").InnerTextAsync();
        var download = await DownloadAsync(guest, "Download file");

        Assert.Equal($"Shared by {account.Email}", creator);
        Assert.Equal("contract.pdf", download.SuggestedFilename);
        Assert.Equal(content, await File.ReadAllBytesAsync(await download.PathAsync()));
    }

    [Fact]
    public async Task Sends_CrossBetweenTheBrowserAndBw_BothWays()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.E2E.RegisterAndLoginBwAsync(account);
        var bwLink = (await bw.JsonAsync("bw send", "send", "-n", "From bw", "made by bw ✓")).Text("accessUrl")!;
        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(account.Email, account.Password);
        await web.NavigateAsync("Send");
        var listed = web.Page.GetByTestId("send-list").Locator("li").Filter(new() { HasTextString = "From bw" });
        await listed.WaitForAsync();
        await web.Button("New text Send").ClickAsync();
        await web.Field("Name").FillAsync("From the browser");
        await web.Field("Text").FillAsync("made in the browser ✓");
        await web.Field("Password").FillAsync("pass phrase");
        await web.Button("Save").ClickAsync();
        var webLink = (await web.Page.GetByTestId("send-link").InnerTextAsync()).Trim();

        var guest = new WebVault(await fixture.NewPageAsync());
        await guest.Page.GotoAsync(bwLink);
        await guest.Heading("From bw").WaitForAsync();
        var fromBw = await guest.Field("Text").InputValueAsync();
        var stranger = fixture.E2E.NewBw(TestAccount.CreateUnique());
        await stranger.OkAsync("bw config server", "config", "server", fixture.Url);
        var fromBrowser = await stranger.OkAsync("bw send receive (not logged in)", "send", "receive", webLink, "--password", "pass phrase");

        Assert.Equal("made by bw ✓", fromBw);
        Assert.Equal("made in the browser ✓", fromBrowser.TrimEnd('\n'));
    }

    [Fact]
    public async Task ItemWithAnAttachment_MovedIntoAnOrganization_DownloadsForAMember()
    {
        var server = fixture.E2E.Server.BaseAddress;
        var ca = fixture.E2E.Certificates.CaPemPath;
        var ownerAccount = TestAccount.CreateUnique();
        var memberAccount = TestAccount.CreateUnique();
        var owner = await VaultSeeder.SeedAsync(server, ca, ownerAccount.Email, ownerAccount.Password, 1, 0);
        var member = await VaultSeeder.SeedAsync(server, ca, memberAccount.Email, memberAccount.Password, 0, 0);
        var org = await OrgSeeder.CreateAsync(server, ca, owner, "Acme", "Engineering");
        await OrgSeeder.AddMemberAsync(server, ca, owner, org, member, readOnly: true, hidePasswords: false);
        var name = owner.Items[0].Item.Name;
        var content = RandomNumberGenerator.GetBytes(20_000);

        var ownerWeb = await WebVault.OpenAsync(fixture);
        await ownerWeb.LoginAsync(owner.Email, owner.Password);
        await ownerWeb.TrustOrganizationAsync("Acme");
        await ownerWeb.OpenItemAsync(name);
        await ownerWeb.Field("File to attach").SetInputFilesAsync(new FilePayload { Name = "floor plan.png", MimeType = "image/png", Buffer = content });
        await ownerWeb.Button("Upload").ClickAsync();
        await ownerWeb.Button("Download floor plan.png").WaitForAsync();
        await ownerWeb.Button("Move to organization").ClickAsync();
        await ownerWeb.Field("Organization").SelectOptionAsync(new SelectOptionValue { Label = "Acme" });
        await ownerWeb.Field("Engineering").CheckAsync();
        await ownerWeb.Button("Move").ClickAsync();
        await Assertions.Expect(ownerWeb.Page.GetByTestId("item-owner")).ToContainTextAsync("Shared by Acme");

        var memberWeb = await WebVault.OpenAsync(fixture);
        await memberWeb.LoginAsync(member.Email, member.Password);
        await memberWeb.TrustOrganizationAsync("Acme");
        await memberWeb.OpenItemAsync(name);
        var download = await DownloadAsync(memberWeb, "Download floor plan.png");
        var canChange = await memberWeb.Page.GetByLabel("File to attach", new() { Exact = true }).CountAsync()
            + await memberWeb.Button("Delete attachment floor plan.png").CountAsync();

        Assert.Equal(content, await File.ReadAllBytesAsync(await download.PathAsync()));
        Assert.Equal(0, canChange);
    }

    /// <summary>Presses a download button; when no download starts, fails with what the page says instead.</summary>
    private static async Task<IDownload> DownloadAsync(WebVault web, string button)
    {
        try
        {
            return await web.Page.RunAndWaitForDownloadAsync(() => web.Button(button).ClickAsync(), new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"No download after pressing {button}; the page shows: {await web.Page.Locator("main").InnerTextAsync()}");
            throw;
        }
    }
}
