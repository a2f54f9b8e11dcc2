using System.Text.RegularExpressions;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// Sharing in the web vault: an owner moves an item into a collection and a member's open vault shows it without
/// Sync; a hide-passwords member has no way to reveal or copy the password and the page never holds it; an owner
/// confirms a member after the fingerprint phrase, the same phrase Coffer.Client (and the official clients) compute.
/// The organization is set up through the API (OrgSeeder) except where the UI is what the test is about.
/// </summary>
public sealed class WebOrganizationTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    // Generous: the first hub connection, the debounce and a full sync on a busy two-core machine.
    private static readonly LocatorAssertionsToHaveCountOptions Patiently = new() { Timeout = 30_000 };

    private Uri Server => fixture.E2E.Server.BaseAddress;

    private string Ca => fixture.E2E.Certificates.CaPemPath;

    private async Task<SeededVault> SeedAsync(int items)
    {
        var account = TestAccount.CreateUnique();
        return await VaultSeeder.SeedAsync(Server, Ca, account.Email, account.Password, items, 0);
    }

    [Fact]
    public async Task ItemMovedIntoACollectionByTheOwner_AppearsInTheMembersOpenVault_WithoutPressingSync()
    {
        var owner = await SeedAsync(1);
        var member = await SeedAsync(0);
        var org = await OrgSeeder.CreateAsync(Server, Ca, owner, "Acme", "Engineering");
        await OrgSeeder.AddMemberAsync(Server, Ca, owner, org, member, readOnly: false, hidePasswords: false);
        var shared = owner.Items[0].Item;

        var memberWeb = await WebVault.OpenAsync(fixture);
        await memberWeb.LoginAsync(member.Email, member.Password);
        await memberWeb.TrustOrganizationAsync("Acme");
        await Assertions.Expect(memberWeb.ListNames).ToHaveCountAsync(0);

        var ownerWeb = await WebVault.OpenAsync(fixture);
        await ownerWeb.LoginAsync(owner.Email, owner.Password);
        await ownerWeb.TrustOrganizationAsync("Acme");
        await ownerWeb.OpenItemAsync(shared.Name);
        await ownerWeb.Button("Move to organization").ClickAsync();
        await ownerWeb.Field("Organization").SelectOptionAsync(new SelectOptionValue { Label = "Acme" });
        await ownerWeb.Field("Engineering").CheckAsync();
        await ownerWeb.Button("Move").ClickAsync();
        await Assertions.Expect(ownerWeb.Page.GetByTestId("item-owner")).ToHaveTextAsync("Shared by Acme in Engineering");
        // Still readable by the owner, now under the organization key.
        Assert.Equal(shared.Login!.Password, await ownerWeb.ItemValueAsync("Password"));

        await Assertions.Expect(memberWeb.ListNames.GetByText(shared.Name, new() { Exact = true })).ToHaveCountAsync(1, Patiently);
        await memberWeb.OpenItemAsync(shared.Name);
        Assert.Equal(shared.Login.Password, await memberWeb.ItemValueAsync("Password"));
        Assert.Equal(shared.Login.Username, await memberWeb.ItemValueAsync("Username"));
        await Assertions.Expect(memberWeb.Button("Edit")).ToBeVisibleAsync();

        // The member's vault filter shows the organization and its collection.
        await memberWeb.NavigateAsync("Vault");
        await memberWeb.Field("Vault").SelectOptionAsync(new SelectOptionValue { Label = "My vault" });
        await Assertions.Expect(memberWeb.ListNames).ToHaveCountAsync(0);
        await memberWeb.Field("Vault").SelectOptionAsync(new SelectOptionValue { Label = "Acme" });
        await memberWeb.Field("Collection").SelectOptionAsync(new SelectOptionValue { Label = "Engineering" });
        Assert.Equal([shared.Name], await memberWeb.NamesInListAsync());

        // A member with edit access creates an item straight into the collection; the owner's open list shows it.
        await ownerWeb.NavigateAsync("Vault");
        await memberWeb.StartNewItemAsync("login");
        await memberWeb.Field("Name").FillAsync("Build server");
        await memberWeb.Field("Owner").SelectOptionAsync(new SelectOptionValue { Label = "Acme" });
        await memberWeb.Field("Engineering").CheckAsync();
        await memberWeb.Field("Password").FillAsync("bu1ld-Pa55");
        await memberWeb.SaveItemAsync("Build server");
        await Assertions.Expect(memberWeb.Page.GetByTestId("item-owner")).ToHaveTextAsync("Shared by Acme in Engineering");
        await Assertions.Expect(ownerWeb.ListNames.GetByText("Build server", new() { Exact = true })).ToHaveCountAsync(1, Patiently);
        await ownerWeb.OpenItemAsync("Build server");
        Assert.Equal("bu1ld-Pa55", await ownerWeb.ItemValueAsync("Password"));
    }

    [Fact]
    public async Task HidePasswordsMember_HasNoRevealOrCopyOrEdit_AndThePasswordIsNowhereInThePage()
    {
        var owner = await SeedAsync(0);
        var member = await SeedAsync(0);
        var org = await OrgSeeder.CreateAsync(Server, Ca, owner, "Acme", "Operations");
        var password = $"Hidden-{Guid.NewGuid():N}";
        var hiddenField = $"pin-{Guid.NewGuid():N}";
        var item = new VaultItem
        {
            Type = CipherType.Login,
            Name = "Core router",
            Login = new LoginView { Username = "netops", Password = password, Totp = Base32.Encode(Totp.NewSecret()), Uris = ["https://router.example"] },
            Fields = [new FieldView(1, "Console PIN", hiddenField)],
            PasswordHistory = [new PasswordHistoryView($"Older-{password}", new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc))],
        };
        await OrgSeeder.AddItemAsync(Server, Ca, owner, org, item);
        await OrgSeeder.AddMemberAsync(Server, Ca, owner, org, member, readOnly: true, hidePasswords: true);

        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(member.Email, member.Password);
        await web.TrustOrganizationAsync("Acme");
        await web.OpenItemAsync("Core router");

        Assert.Equal("netops", await web.ItemValueAsync("Username"));
        await Assertions.Expect(web.Page.GetByText("Hidden by your organization")).ToBeVisibleAsync();
        await Assertions.Expect(web.Page.GetByTestId("item-owner")).ToContainTextAsync("read-only");
        foreach (var name in new[] { "Reveal Password", "Copy Password", "Edit", "Collections", "Move to trash", "Copy verification code", "Reveal Console PIN", "Copy Console PIN" })
        {
            await Assertions.Expect(web.Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true })).ToHaveCountAsync(0);
        }

        await Assertions.Expect(web.Page.GetByTestId("totp-code")).ToHaveCountAsync(0);
        await Assertions.Expect(web.Page.GetByText("Password history")).ToHaveCountAsync(0);
        var html = await web.Page.ContentAsync();
        Assert.DoesNotContain(password, html, StringComparison.Ordinal);
        Assert.DoesNotContain(hiddenField, html, StringComparison.Ordinal);

        // The edit screen, reached by its address, refuses as well and shows no password field.
        await web.Page.GotoAsync(web.Page.Url.Replace("#/item/", "#/edit/", StringComparison.Ordinal));
        await Assertions.Expect(web.Heading("Read-only item")).ToBeVisibleAsync();
        Assert.DoesNotContain(password, await web.Page.ContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OwnerConfirmsAMemberInTheWebVault_AfterTheFingerprintPhraseCofferClientComputes()
    {
        var owner = await SeedAsync(0);
        var member = await SeedAsync(0);
        var org = await OrgSeeder.CreateAsync(Server, Ca, owner, "Acme", "Engineering");
        var invited = await OrgSeeder.InviteAsync(Server, Ca, owner, org, member, readOnly: false, hidePasswords: false);
        var expected = FingerprintPhrase.Compute(invited.UserId.ToString(), invited.PublicKey);

        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(owner.Email, owner.Password);
        await web.TrustOrganizationAsync("Acme");
        await web.NavigateAsync("Organizations");
        await web.Page.GetByRole(AriaRole.Link, new() { Name = "Acme", Exact = true }).ClickAsync();
        await web.Heading("Members").WaitForAsync();
        await web.Button($"Confirm {member.Email}").ClickAsync();
        await Assertions.Expect(web.Page.GetByTestId("fingerprint-phrase")).ToHaveTextAsync(expected);
        await Assertions.Expect(web.Button("Confirm member")).ToBeDisabledAsync();
        await web.TickPhraseComparedAsync(member.Email);
        await web.Button("Confirm member").ClickAsync();
        await Assertions.Expect(web.Page.GetByRole(AriaRole.Status).Filter(new() { HasTextString = "is confirmed" })).ToBeVisibleAsync();
        await Assertions.Expect(web.Page.GetByRole(AriaRole.Row).Filter(new() { HasTextString = member.Email })).ToContainTextAsync("Confirmed");

        // The key the browser wrapped opens for the member: an item the owner adds is readable in the member's vault.
        await OrgSeeder.AddItemAsync(Server, Ca, owner, org, new VaultItem { Type = CipherType.SecureNote, Name = "Welcome note", Notes = "Hello from Acme" });
        var memberWeb = await WebVault.OpenAsync(fixture);
        await memberWeb.LoginAsync(member.Email, member.Password);
        await memberWeb.TrustOrganizationAsync("Acme");
        await memberWeb.OpenItemAsync("Welcome note");
        Assert.Equal("Hello from Acme", await memberWeb.ItemValueAsync("Notes"));
    }

    [Fact]
    public async Task OrganizationCreatedInTheWebVault_OpensWithTheOwnersKey_AndAnInvitationShowsItsLink()
    {
        var owner = await SeedAsync(0);
        var member = await SeedAsync(0);
        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(owner.Email, owner.Password);
        await web.NavigateAsync("Organizations");
        await web.Field("Organization name").FillAsync("Family");
        Assert.Equal(owner.Email, await web.Field("Billing e-mail").InputValueAsync());
        await web.Field("First collection").FillAsync("Streaming");
        await web.Button("Create organization").ClickAsync();
        await web.Heading("Family").WaitForAsync();
        await web.Heading("Members").WaitForAsync();
        await Assertions.Expect(web.Page.GetByRole(AriaRole.Row).Filter(new() { HasTextString = owner.Email })).ToContainTextAsync("Owner");

        // Someone without an account: the link to pass on, with the parameters the web vault needs (§4.2, P18).
        var newcomer = TestAccount.CreateUnique().Email;
        await web.Field("Member e-mail").FillAsync(newcomer);
        await web.Field("Streaming access").SelectOptionAsync(new SelectOptionValue { Label = "Can view, except passwords" });
        await web.Button("Invite").ClickAsync();
        var link = await web.Page.GetByTestId("invitation-link").InputValueAsync();
        Assert.Contains("accept-organization", link, StringComparison.Ordinal);
        Assert.Contains("orgUserHasExistingUser=false", link, StringComparison.Ordinal);
        await Assertions.Expect(web.Page.GetByRole(AriaRole.Row).Filter(new() { HasTextString = newcomer })).ToContainTextAsync("Invited");
        await Assertions.Expect(web.Page.GetByRole(AriaRole.Row).Filter(new() { HasTextString = newcomer })).ToContainTextAsync("Streaming: Can view, except passwords");

        // An existing account is accepted at once and waits for confirmation.
        await web.Field("Member e-mail").FillAsync(member.Email);
        await web.Button("Invite").ClickAsync();
        await Assertions.Expect(web.Page.GetByRole(AriaRole.Row).Filter(new() { HasTextString = member.Email })).ToContainTextAsync("Accepted");
        await Assertions.Expect(web.Button($"Confirm {member.Email}")).ToBeVisibleAsync();

        // The organization key the browser made opens with the owner's private key outside the browser too.
        var orgId = Guid.Parse(web.Page.Url.Split("#/org/")[1].Split('/')[0]);
        Assert.Equal(["Streaming"], await OrgSeeder.CollectionNamesAsync(Server, Ca, owner, orgId));
    }

    [Fact]
    public async Task MemberRevokedInTheWebVault_LosesTheItemsInTheirOpenVault_WithoutPressingSync()
    {
        var owner = await SeedAsync(0);
        var member = await SeedAsync(1);
        var org = await OrgSeeder.CreateAsync(Server, Ca, owner, "Acme", "Engineering");
        await OrgSeeder.AddItemAsync(Server, Ca, owner, org, new VaultItem { Type = CipherType.SecureNote, Name = "Shared runbook", Notes = "step 1" });
        await OrgSeeder.AddMemberAsync(Server, Ca, owner, org, member, readOnly: false, hidePasswords: false);

        var memberWeb = await WebVault.OpenAsync(fixture);
        await memberWeb.LoginAsync(member.Email, member.Password);
        await memberWeb.TrustOrganizationAsync("Acme");
        await Assertions.Expect(memberWeb.ListNames).ToHaveCountAsync(2);

        var ownerWeb = await WebVault.OpenAsync(fixture);
        await ownerWeb.LoginAsync(owner.Email, owner.Password);
        await ownerWeb.TrustOrganizationAsync("Acme");
        await ownerWeb.Page.GotoAsync($"/#/org/{org.Id}/members");
        await ownerWeb.Button($"Revoke {member.Email}").ClickAsync();
        await Assertions.Expect(ownerWeb.Page.GetByRole(AriaRole.Row).Filter(new() { HasTextString = member.Email })).ToContainTextAsync("Revoked");

        await Assertions.Expect(memberWeb.ListNames.GetByText("Shared runbook", new() { Exact = true })).ToHaveCountAsync(0, Patiently);
        Assert.Equal([member.Items[0].Item.Name], await memberWeb.NamesInListAsync());

        await ownerWeb.Button($"Restore {member.Email}").ClickAsync();
        await Assertions.Expect(memberWeb.ListNames.GetByText("Shared runbook", new() { Exact = true })).ToHaveCountAsync(1, Patiently);
    }

    [Fact]
    public async Task OrganizationScreens_FitAPhonesWidth()
    {
        var owner = await SeedAsync(1);
        var member = await SeedAsync(0);
        var org = await OrgSeeder.CreateAsync(Server, Ca, owner, "Acme Infrastructure", "Engineering");
        await OrgSeeder.InviteAsync(Server, Ca, owner, org, member, readOnly: true, hidePasswords: true);
        var web = await WebVault.OpenAsync(fixture, BrowserFixture.Phone);
        await web.LoginAsync(owner.Email, owner.Password);
        await web.TrustOrganizationAsync("Acme Infrastructure");
        var overflowing = new List<string>();
        foreach (var (hash, heading, screen) in new[]
        {
            ("#/orgs", "Organizations", "organizations"),
            ($"#/org/{org.Id}/members", "Members", "org-members"),
            ($"#/org/{org.Id}/collections", "Collections", "org-collections"),
            ($"#/org/{org.Id}/events", "Events", "org-events"),
        })
        {
            await web.Page.EvaluateAsync("hash => { location.hash = hash; }", hash);
            await web.Heading(heading).WaitForAsync();
            await Screenshots.SaveAsync(web.Page, screen);
            var widths = await web.Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
            if (widths[0] > widths[1])
            {
                overflowing.Add($"{screen}: {widths[0]} px wide in a {widths[1]} px window");
            }
        }

        Assert.Empty(overflowing);
    }

    [Fact]
    public async Task NewcomerFollowsTheInvitationLink_SignsUp_AndIsConfirmedAfterTheSameFingerprintPhraseOnBothScreens()
    {
        var owner = await SeedAsync(0);
        var org = await OrgSeeder.CreateAsync(Server, Ca, owner, "Family", "Streaming");
        var ownerWeb = await WebVault.OpenAsync(fixture);
        await ownerWeb.LoginAsync(owner.Email, owner.Password);
        await ownerWeb.TrustOrganizationAsync("Family");
        await ownerWeb.Page.GotoAsync($"/#/org/{org.Id}/members");
        var newcomer = TestAccount.CreateUnique();
        await ownerWeb.Field("Member e-mail").FillAsync(newcomer.Email);
        await ownerWeb.Field("Streaming access").SelectOptionAsync(new SelectOptionValue { Label = "Can view" });
        await ownerWeb.Button("Invite").ClickAsync();
        var link = await ownerWeb.Page.GetByTestId("invitation-link").InputValueAsync();

        var web = await WebVault.OpenAsync(fixture);
        await web.Page.GotoAsync(link);
        await web.Heading("Join Family").WaitForAsync();
        await web.Page.GetByRole(AriaRole.Link, new() { Name = "Create your account" }).ClickAsync();
        await Assertions.Expect(web.Field("Email address")).ToHaveValueAsync(newcomer.Email);
        await web.Field("Master password").FillAsync(newcomer.Password);
        await Assertions.Expect(web.Page.GetByTestId("strength-label")).ToHaveTextAsync(new Regex("^Strength: "));
        await web.Field("Confirm master password").FillAsync(newcomer.Password);
        await web.Button("Create account").ClickAsync();
        await web.WaitForListAsync();
        await web.NavigateAsync("Organizations");
        await Assertions.Expect(web.Page.GetByTestId("own-fingerprint-phrase")).Not.ToHaveTextAsync("…");
        var ownPhrase = await web.Page.GetByTestId("own-fingerprint-phrase").InnerTextAsync();

        // The members tab again (through another tab: the same address would not redraw it).
        await ownerWeb.Page.GetByRole(AriaRole.Link, new() { Name = "Collections", Exact = true }).ClickAsync();
        await ownerWeb.Heading("Collections").WaitForAsync();
        await ownerWeb.Page.GetByRole(AriaRole.Link, new() { Name = "Members", Exact = true }).ClickAsync();
        await ownerWeb.Heading("Members").WaitForAsync();
        await Assertions.Expect(ownerWeb.Page.GetByRole(AriaRole.Row).Filter(new() { HasTextString = newcomer.Email })).ToContainTextAsync("Accepted");
        await ownerWeb.Button($"Confirm {newcomer.Email}").ClickAsync();
        await Assertions.Expect(ownerWeb.Page.GetByTestId("fingerprint-phrase")).ToHaveTextAsync(ownPhrase);
        await ownerWeb.TickPhraseComparedAsync(newcomer.Email);
        await ownerWeb.Button("Confirm member").ClickAsync();
        await Assertions.Expect(ownerWeb.Page.GetByRole(AriaRole.Row).Filter(new() { HasTextString = newcomer.Email })).ToContainTextAsync("Confirmed");

        // Confirmed: the newcomer's open vault gets the organization key and shows what is shared from then on.
        await web.NavigateAsync("Vault");
        await OrgSeeder.AddItemAsync(Server, Ca, owner, org, new VaultItem { Type = CipherType.SecureNote, Name = "Wi-Fi", Notes = "family-network" });
        await Assertions.Expect(web.ListNames.GetByText("Wi-Fi", new() { Exact = true })).ToHaveCountAsync(1, Patiently);
        await web.OpenItemAsync("Wi-Fi");
        Assert.Equal("family-network", await web.ItemValueAsync("Notes"));
    }
}
