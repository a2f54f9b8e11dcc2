using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Client.Crypto;
using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Crypto;
using Coffer.Testing.Hostile;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// The web vault's organizations and other people's keys against a malicious server (malicious-server.md BW01, BW08,
/// BW09, §3.13): Chromium browses the <see cref="HostileProxy"/> in front of an honest server, and the scenarios are
/// guard-orgs' <see cref="OrganizationScenarios"/>. Each test runs its flow unarmed first (it must work, with no
/// "unsafe" dialog), then armed: the dialog shows the scenario's check, nothing is sent under a key the server chose,
/// and no secret leaves. The key-rotation scenarios (rotate-orgkey-swap, rotate-injected-org, ea-pk-swap at rotation) are
/// in <see cref="WebHostileRotationTests"/>.
/// </summary>
public sealed class WebHostileOrganizationTests(HostileBrowserFixture fixture) : IClassFixture<HostileBrowserFixture>
{
    private Uri Server => fixture.E2E.Server.BaseAddress;

    private string Ca => fixture.E2E.Certificates.CaPemPath;

    private HostileProxy Proxy => fixture.Proxy;

    private static ILocator Unsafe(WebVault web) => web.Page.Locator("dialog[data-check]");

    [Fact]
    public async Task OrgInject_APlantedOrganizationIsHiddenBehindAQuestionWithItsPhrase_AndNothingIsSentUnderItsKey()
    {
        var account = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 1, 0);
        using var planted = ForgedOrganization.Create("Helpdesk Team");
        Proxy.Disarm();

        // Unarmed: the vault opens with its one item and asks nothing.
        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(account.Email, account.Password);
        Assert.Equal([account.Items[0].Item.Name], await web.NamesInListAsync());
        await Assertions.Expect(Unsafe(web)).ToHaveCountAsync(0);

        // Armed, in the same browser (same pins): the question names the organization and shows its phrase.
        Proxy.ClearEgress();
        Proxy.Arm(OrganizationScenarios.OrgInject(planted));
        var again = await HostileBrowserFixture.SameBrowserAsync(web);
        await again.LoginAsync(account.Email, account.Password);
        var question = again.OrgQuestion(planted.Name);
        await Assertions.Expect(question).ToHaveAttributeAsync("data-kind", "quarantine");
        await Assertions.Expect(question).ToContainTextAsync(FingerprintPhrase.Compute(planted.Id.ToString(), planted.PublicKey));
        await question.GetByRole(AriaRole.Button, new() { Name = "Keep hidden", Exact = true }).ClickAsync();
        await Assertions.Expect(question).ToHaveCountAsync(0);

        // Hidden: not listed, its item not shown, never offered as an owner; the Organizations screen says why.
        Assert.Equal([account.Items[0].Item.Name], await again.NamesInListAsync());
        await again.StartNewItemAsync("login");
        // With no organization to offer, the form has no owner choice at all: the item is personal.
        await Assertions.Expect(again.Field("Owner")).ToHaveCountAsync(0);
        await again.Field("Name").FillAsync("After the injection");
        await again.Field("Password").FillAsync("n0t-for-the-server");
        await again.SaveItemAsync("After the injection");
        await again.NavigateAsync("Organizations");
        await Assertions.Expect(again.Page.GetByRole(AriaRole.List, new() { Name = "Organizations", Exact = true })).ToHaveCountAsync(0);
        await Assertions.Expect(again.Page.GetByRole(AriaRole.List, new() { Name = "Hidden organizations", Exact = true })).ToContainTextAsync(planted.Name);

        // The new item went to the personal vault, nothing was encrypted under the planted key, no secret left.
        var created = Assert.Single(Proxy.Requests("POST", "^/api/ciphers$"));
        Assert.Null((string?)created.BodyJson()?["organizationId"]);
        Assert.Empty(Proxy.Requests("POST", "^/api/ciphers/create$"));
        Assert.Empty(EncryptedUnder(planted.OrgKey));
        Assert.DoesNotContain(Proxy.Egress, r => r.Method != "GET" && r.Path.Contains(planted.Id.ToString(), StringComparison.OrdinalIgnoreCase));
        Assert.Empty(Proxy.Leaks(Secret.Text("master password", account.Password), Secret.Text("new item password", "n0t-for-the-server")));
        Proxy.Disarm();
    }

    [Fact]
    public async Task OrgInject_AnsweredIDidThis_ShowsTheOrganizationAndItsItem()
    {
        var account = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        using var planted = ForgedOrganization.Create("Joined Elsewhere");
        Proxy.Arm(OrganizationScenarios.OrgInject(planted));
        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(account.Email, account.Password);
        await web.TrustOrganizationAsync(planted.Name);

        // Pinned confirmed-by-user-prompt: its item lists, and no question comes back at the next login.
        await Assertions.Expect(web.ListNames.GetByText(planted.ItemName, new() { Exact = true })).ToHaveCountAsync(1);
        var again = await HostileBrowserFixture.SameBrowserAsync(web);
        await again.LoginAsync(account.Email, account.Password);
        await Assertions.Expect(again.ListNames.GetByText(planted.ItemName, new() { Exact = true })).ToHaveCountAsync(1);
        await Assertions.Expect(Unsafe(again)).ToHaveCountAsync(0);
        Proxy.Disarm();
    }

    [Fact]
    public async Task OrgOverwrite_AKeyServedInTheFirstSyncAfterCreation_IsRefused_AndNothingIsSentUnderIt()
    {
        var baseline = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        var account = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        using var replacement = ForgedOrganization.Create("Replacement");
        Proxy.Disarm();

        // Unarmed: an organization created here opens with the key made here, without a question, also at a new login.
        var honest = await fixture.OpenVaultAsync();
        await honest.LoginAsync(baseline.Email, baseline.Password);
        await CreateOrganizationAsync(honest, "Made Here");
        var later = await HostileBrowserFixture.SameBrowserAsync(honest);
        await later.LoginAsync(baseline.Email, baseline.Password);
        await Assertions.Expect(later.Page.Locator("#org-filter option").Filter(new() { HasTextString = "Made Here" })).ToHaveCountAsync(1);
        await Assertions.Expect(Unsafe(honest)).ToHaveCountAsync(0);
        await Assertions.Expect(Unsafe(later)).ToHaveCountAsync(0);

        // Armed from the start: the sync right after creating an organization carries the server's key for it.
        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(account.Email, account.Password);
        Proxy.ClearEgress();
        Proxy.Arm(OrganizationScenarios.OrgOverwrite(replacement));
        await web.NavigateAsync("Organizations");
        await web.Field("Organization name").FillAsync("Overwritten");
        await web.Field("First collection").FillAsync("Secrets");
        await web.Button("Create organization").ClickAsync();
        var refusal = web.Page.Locator("dialog[data-check=org-overwrite]");
        await Assertions.Expect(refusal).ToHaveAttributeAsync("data-kind", "refuse");
        await Assertions.Expect(refusal).ToContainTextAsync("Overwritten");
        await refusal.GetByRole(AriaRole.Button, new() { Name = "Log out", Exact = true }).ClickAsync();
        await web.Heading("Log in").WaitForAsync();

        // Nothing under the replacement key, nothing sent after the refusal but what the page had under way.
        Assert.Empty(EncryptedUnder(replacement.OrgKey));
        Assert.Empty(Proxy.Requests("POST", "^/api/ciphers"));
        Assert.Empty(Proxy.Leaks(Secret.Text("master password", account.Password)));

        // Later, in the same browser: the organization stays disabled (refused once per session, then hidden).
        await web.LoginAsync(account.Email, account.Password);
        await web.NavigateAsync("Organizations");
        await Assertions.Expect(web.Page.GetByRole(AriaRole.List, new() { Name = "Hidden organizations", Exact = true })).ToContainTextAsync("replaced its key");
        await Assertions.Expect(web.Page.GetByRole(AriaRole.List, new() { Name = "Organizations", Exact = true }).GetByRole(AriaRole.Link, new() { Name = "Overwritten", Exact = true })).ToHaveCountAsync(0);
        Proxy.Disarm();
    }

    [Fact]
    public async Task OrgOverwrite_APublicKeyOtherThanTheOneCreatedHere_IsRefusedWhereItsPhraseWouldShow()
    {
        var account = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        using var attacker = new AttackerKeyPair();
        Proxy.Disarm();
        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(account.Email, account.Password);
        var orgId = await CreateOrganizationAsync(web, "Key Pair Here");

        // Unarmed: the settings tab shows the phrase of the key pair made here.
        await web.Page.GetByRole(AriaRole.Link, new() { Name = "Settings", Exact = true }).Last.ClickAsync();
        await Assertions.Expect(web.Page.GetByTestId("organization-fingerprint-phrase")).Not.ToHaveTextAsync("…");
        await Assertions.Expect(Unsafe(web)).ToHaveCountAsync(0);

        // Armed: only the organization's public key is the server's.
        Proxy.Arm(new HostileScenario("org-overwrite", new HostileRule("GET", $"^/api/organizations/{orgId}/(public-key|keys)$")
        {
            Answer = _ => (200, new JsonObject { ["publicKey"] = attacker.PublicKey, ["object"] = "organizationPublicKey" }.ToJsonString()),
        }));
        await web.Page.GetByRole(AriaRole.Link, new() { Name = "Members", Exact = true }).ClickAsync();
        await web.Heading("Members").WaitForAsync();
        await web.Page.GetByRole(AriaRole.Link, new() { Name = "Settings", Exact = true }).Last.ClickAsync();
        var refusal = web.Page.Locator("dialog[data-check=org-overwrite]");
        await Assertions.Expect(refusal).ToContainTextAsync("another public key for the organization “Key Pair Here”");
        await Assertions.Expect(web.Page.GetByTestId("organization-fingerprint-phrase")).Not.ToHaveTextAsync(FingerprintPhrase.Compute(orgId.ToString(), attacker.PublicKey));
        Proxy.Disarm();
    }

    [Fact]
    public async Task ConfirmPkSwap_AMembersKeyOtherThanTheOneConfirmedBefore_IsRefused_AndTheOrgKeyIsNotSent()
    {
        var owner = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        var member = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        using var attacker = new AttackerKeyPair();
        Proxy.Disarm();
        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(owner.Email, owner.Password);

        // Unarmed: confirming needs the tick after the phrase, and pins the member's key.
        await CreateOrganizationAsync(web, "First Org");
        await InviteAsync(web, member.Email);
        await web.Button($"Confirm {member.Email}").ClickAsync();
        await Assertions.Expect(web.Button("Confirm member")).ToBeDisabledAsync();
        await web.TickPhraseComparedAsync(member.Email);
        await web.Button("Confirm member").ClickAsync();
        await Assertions.Expect(Row(web, member.Email)).ToContainTextAsync("Confirmed");

        // Armed: in a second organization the server answers with another key for the same person.
        await CreateOrganizationAsync(web, "Second Org");
        await InviteAsync(web, member.Email);
        var secondOrg = Guid.Parse(web.Page.Url.Split("#/org/")[1].Split('/')[0]);
        var memberId = await UserIdAsync(web, $"/api/organizations/{secondOrg}/users", member.Email, "userId");
        Proxy.ClearEgress();
        Proxy.Arm(OrganizationScenarios.ConfirmPkSwap(memberId, attacker));
        await web.Button($"Confirm {member.Email}").ClickAsync();
        var refusal = web.Page.Locator("dialog[data-check=confirm-pk-swap]");
        await Assertions.Expect(refusal).ToContainTextAsync(member.Email);
        await refusal.GetByRole(AriaRole.Button, new() { Name = "Log out", Exact = true }).ClickAsync();

        Assert.Empty(Proxy.Requests("POST", "^/api/organizations/[^/]+/users/[^/]+/confirm$"));
        Assert.Empty(attacker.OpenedIn(Proxy.Egress));
        Assert.Empty(Proxy.Leaks(Secret.Text("master password", owner.Password)));
        Proxy.Disarm();
    }

    [Fact]
    public async Task EaPkSwap_AGranteesKeyOtherThanTheOneConfirmedBefore_IsRefused_AndTheUserKeyIsNotSent()
    {
        var grantor = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 1, 0);
        var grantee = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        using var attacker = new AttackerKeyPair();
        Proxy.Disarm();
        var web = await fixture.OpenVaultAsync();
        web.Page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await web.LoginAsync(grantor.Email, grantor.Password);
        await OpenEmergencyAsync(web);

        // Unarmed: confirm after the phrase and the tick (the grantee's key is pinned), then remove the grant.
        await InviteContactAsync(web, grantee.Email);
        await ConfirmContactAsync(web, grantee.Email, grantor.Password);
        await Assertions.Expect(Row(web, grantee.Email)).ToContainTextAsync("Confirmed");
        await web.Button($"Remove {grantee.Email}").ClickAsync();
        await Assertions.Expect(Row(web, grantee.Email)).ToHaveCountAsync(0);

        // Armed: invited again, the server answers with its own key for the grantee.
        await InviteContactAsync(web, grantee.Email);
        var granteeId = await UserIdAsync(web, "/api/emergency-access/trusted", grantee.Email, "granteeId");
        Proxy.ClearEgress();
        Proxy.Arm(OrganizationScenarios.EaPkSwap(granteeId, attacker));
        await web.Button($"Confirm {grantee.Email}").ClickAsync();
        var refusal = web.Page.Locator("dialog[data-check=ea-pk-swap]");
        await Assertions.Expect(refusal).ToContainTextAsync(grantee.Email);
        await refusal.GetByRole(AriaRole.Button, new() { Name = "Log out", Exact = true }).ClickAsync();

        Assert.Empty(Proxy.Requests("POST", "^/api/emergency-access/[^/]+/confirm$"));
        Assert.Empty(attacker.OpenedIn(Proxy.Egress));
        Assert.Empty(Proxy.Leaks(Secret.Text("master password", grantor.Password)));
        Proxy.Disarm();
    }

    [Fact]
    public async Task ArAutoEnrolSwap_AcceptingAnInvitation_SendsNoRecoveryKey_AndShowsThePhraseOfTheKeyTheServerGave()
    {
        var owner = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        var member = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        using var attacker = new AttackerKeyPair();
        Proxy.Disarm();
        var ownerWeb = await fixture.OpenVaultAsync();
        await ownerWeb.LoginAsync(owner.Email, owner.Password);
        var orgId = await CreateOrganizationAsync(ownerWeb, "Recovery Org");
        await ownerWeb.Page.GetByRole(AriaRole.Link, new() { Name = "Settings", Exact = true }).Last.ClickAsync();
        var orgPhrase = ownerWeb.Page.GetByTestId("organization-fingerprint-phrase");
        await Assertions.Expect(orgPhrase).Not.ToHaveTextAsync("…");
        var honestPhrase = await orgPhrase.InnerTextAsync();
        await ownerWeb.Page.GetByRole(AriaRole.Link, new() { Name = "Members", Exact = true }).ClickAsync();
        var link = await InviteAsync(ownerWeb, member.Email);

        // Armed: the server turns on auto-enrolment and swaps the organization's public key for its own.
        Proxy.ClearEgress();
        Proxy.Arm(OrganizationScenarios.ArAutoEnrolSwap(orgId, attacker));
        var memberWeb = await fixture.OpenVaultAsync();
        await memberWeb.LoginAsync(member.Email, member.Password);
        await memberWeb.Page.GotoAsync("/#" + link.Split('#', 2)[1]);
        await Assertions.Expect(memberWeb.Page.GetByText("Your invitation to Recovery Org is accepted.")).ToBeVisibleAsync();
        var shown = memberWeb.Page.GetByTestId("organization-fingerprint-phrase");
        await Assertions.Expect(shown).ToHaveTextAsync(FingerprintPhrase.Compute(orgId.ToString(), attacker.PublicKey));
        Assert.NotEqual(honestPhrase, await shown.InnerTextAsync());

        // Confirmed by the owner: the member's vault takes the organization (accepted here, no question) and, with
        // the auto-enrol policy in every sync, still sends no recovery key.
        await ownerWeb.Button($"Confirm {member.Email}").ClickAsync();
        await ownerWeb.TickPhraseComparedAsync(member.Email);
        await ownerWeb.Button("Confirm member").ClickAsync();
        await Assertions.Expect(Row(ownerWeb, member.Email)).ToContainTextAsync("Confirmed");
        await memberWeb.NavigateAsync("Vault");
        await memberWeb.Button("Sync").ClickAsync();
        await Assertions.Expect(memberWeb.Page.Locator("#org-filter option").Filter(new() { HasTextString = "Recovery Org" })).ToHaveCountAsync(1);
        await Assertions.Expect(Unsafe(memberWeb)).ToHaveCountAsync(0);

        var accept = Assert.Single(Proxy.Requests("POST", "^/api/organizations/[^/]+/users/[^/]+/accept$"));
        Assert.Equal(JsonValueKind.Null, accept.BodyJson()!["resetPasswordKey"]?.GetValueKind() ?? JsonValueKind.Null);
        Assert.DoesNotContain(Proxy.Egress, r => r.Path.Contains("reset-password", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(Proxy.Egress, r => r.BodyJson() is JsonObject body && body["resetPasswordKey"] is JsonValue);
        Assert.Empty(attacker.OpenedIn(Proxy.Egress));
        Assert.Empty(Proxy.Leaks(Secret.Text("master password", member.Password)));
        Proxy.Disarm();
    }

    [Fact]
    public async Task PolicyInject_APolicyOfAnOrganizationNeverJoined_ChangesNothing()
    {
        var account = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        Proxy.ClearEgress();
        Proxy.Arm(OrganizationScenarios.PolicyInject(Guid.NewGuid()));
        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(account.Email, account.Password);
        await web.StartNewItemAsync("login");
        await Assertions.Expect(web.Field("Owner")).ToHaveCountAsync(0);
        await web.Field("Name").FillAsync("Mine alone");
        await web.SaveItemAsync("Mine alone");

        // OrganizationDataOwnership of a made-up organization pushes nothing anywhere and asks nothing.
        Assert.Single(Proxy.Requests("POST", "^/api/ciphers$"));
        Assert.Empty(Proxy.Requests("POST", "^/api/ciphers/create$"));
        await Assertions.Expect(Unsafe(web)).ToHaveCountAsync(0);
        Proxy.Disarm();
    }

    /// <summary>Type-2 EncStrings in any request body that MAC-verify under <paramref name="key"/>: what the server could read.</summary>
    private List<string> EncryptedUnder(SymmetricKey key)
    {
        var found = new List<string>();
        foreach (var record in Proxy.Egress)
        {
            foreach (var value in Strings(record.BodyJson()))
            {
                if (!value.StartsWith("2.", StringComparison.Ordinal) || !EncString.TryParse(value, out var enc))
                {
                    continue;
                }

                try
                {
                    CryptographicOperations.ZeroMemory(enc.Decrypt(key));
                    found.Add($"{record.Method} {record.Path}");
                }
                catch (CryptographicException)
                {
                    // Under another key.
                }
            }
        }

        return found;
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    internal static ILocator Row(WebVault web, string email) => web.Page.GetByRole(AriaRole.Row).Filter(new() { HasTextString = email });

    /// <summary>Creates an organization on the Organizations screen and waits for its members tab; returns its id.</summary>
    internal static async Task<Guid> CreateOrganizationAsync(WebVault web, string name)
    {
        await web.NavigateAsync("Organizations");
        await web.Field("Organization name").FillAsync(name);
        await web.Field("First collection").FillAsync("Shared");
        await web.Button("Create organization").ClickAsync();
        await web.Heading(name).WaitForAsync();
        await web.Heading("Members").WaitForAsync();
        return Guid.Parse(web.Page.Url.Split("#/org/")[1].Split('/')[0]);
    }

    /// <summary>Invites an existing account (accepted at once) on the open members tab; returns the invitation link.</summary>
    private static async Task<string> InviteAsync(WebVault web, string email)
    {
        await web.Field("Member e-mail").FillAsync(email);
        await web.Button("Invite").ClickAsync();
        await Assertions.Expect(Row(web, email)).ToContainTextAsync("Accepted");
        return await web.Page.GetByTestId("invitation-link").InputValueAsync();
    }

    /// <summary>A user id as an API answer of the signed-in page lists it (members of an organization, or trusted contacts).</summary>
    internal static async Task<Guid> UserIdAsync(WebVault web, string path, string email, string idProperty) =>
        Guid.Parse(await web.Page.EvaluateAsync<string>(
            "async ([path, email, id]) => { const s = JSON.parse(sessionStorage.getItem('coffer.session')); const r = await fetch(path, { headers: { authorization: 'Bearer ' + s.tokens.accessToken } }); return (await r.json()).data.find((m) => m.email === email)[id]; }",
            new[] { path, email, idProperty }));

    internal static async Task OpenEmergencyAsync(WebVault web)
    {
        await web.NavigateAsync("Settings");
        await web.Page.GetByRole(AriaRole.Link, new() { Name = "Manage emergency access", Exact = true }).ClickAsync();
        await web.Heading("Emergency access").WaitForAsync();
    }

    internal static async Task InviteContactAsync(WebVault web, string email)
    {
        await web.Field("Contact e-mail").FillAsync(email);
        await web.Field("Wait time (days)").FillAsync("2");
        await web.Button("Invite").ClickAsync();
        await Assertions.Expect(Row(web, email)).ToContainTextAsync("Accepted");
    }

    internal static async Task ConfirmContactAsync(WebVault web, string email, string password)
    {
        await web.Button($"Confirm {email}").ClickAsync();
        await web.TickPhraseComparedAsync(email);
        await web.Field("Your master password").FillAsync(password);
        await web.Button("Confirm contact").ClickAsync();
    }
}
