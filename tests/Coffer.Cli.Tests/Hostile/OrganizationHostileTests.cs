using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Cli.Storage;
using Coffer.Cli.Tests.Cli;
using Coffer.Cli.Tests.EndToEnd;
using Coffer.Client.Crypto;
using Coffer.Client.Integrity;
using Coffer.Testing.Hostile;

namespace Coffer.Cli.Tests.Hostile;

/// <summary>
/// <c>coffer</c> through the hostile proxy against the organization and public-key attacks (malicious-server.md BW01,
/// BW02, BW08, BW09, §3.13). Each test runs the flow honestly first, then armed, and checks the refusal or quarantine,
/// that nothing was encrypted under a key the server chose, that no secret left the CLI, and the pins.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OrganizationHostileTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private const string Password = CliAccounts.Password;
    private const string IntegrityFailed = "coffer: server integrity check failed";
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private readonly CliRun _owner = new();
    private readonly CliRun _member = new();

    public void Dispose()
    {
        _owner.Dispose();
        _member.Dispose();
    }

    [Fact]
    public async Task OrgInject_ForgedOrganizationIsQuarantined_ItsItemCollectionKeyAndPolicyUnused_UntilTrustedByItsPhrase()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        var email = await _owner.LoginNewAccountAsync(proxy.BaseAddress, Password);
        await _owner.OkAsync("add", "login", "--name", "Mine", "--password", "mine-s3cret", "--passwordenv", "MP");
        Assert.Contains("Mine", await _owner.OkAsync("list", "--passwordenv", "MP"), StringComparison.Ordinal);
        Assert.Empty(Pins(proxy, _owner, email)?.Organizations ?? []);

        using var forged = ForgedOrganization.Create("Injected Org");
        proxy.Arm(OrganizationScenarios.OrgInject(forged));
        var (synced, _, syncError) = await _owner.RunAsync("sync");
        Assert.Equal(ExitCodes.Ok, synced);
        Assert.Contains($"coffer: warning (org-inject): You are now listed as a member of 'Injected Org' ({forged.Id})", syncError, StringComparison.Ordinal);

        // Its item, collection and key are not used: not listed, not found, never an owner.
        var list = await _owner.OkAsync("list", "--passwordenv", "MP");
        Assert.Contains("Mine", list, StringComparison.Ordinal);
        Assert.DoesNotContain(forged.ItemName, list, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, (await _owner.RunAsync("get", "item", forged.CipherId.ToString(), "--passwordenv", "MP")).ExitCode);
        var (listOrg, _, listOrgError) = await _owner.RunAsync("list", "--org", forged.Id.ToString(), "--passwordenv", "MP");
        Assert.Equal(ExitCodes.NotFound, listOrg);
        Assert.Contains("quarantined", listOrgError, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, (await _owner.RunAsync("collection", "list", forged.Id.ToString(), "--passwordenv", "MP")).ExitCode);
        Assert.Equal(ExitCodes.NotFound, (await _owner.RunAsync("add", "login", "--name", "Owned", "--org", "Injected Org", "--collection", forged.CollectionName, "--passwordenv", "MP")).ExitCode);
        Assert.Contains($"{forged.Id}\tInjected Org\tuser\tquarantined", await _owner.OkAsync("org", "list"), StringComparison.Ordinal);

        // Its OrganizationDataOwnership policy is not applied: a personal item is still personal.
        await _owner.OkAsync("add", "login", "--name", "Personal", "--password", "p3rsonal-pass", "--passwordenv", "MP");
        var posted = proxy.Requests("POST", "^/api/ciphers$")[^1].BodyJson()!;
        Assert.Null((string?)posted["organizationId"]);

        // Without a terminal the answer is no; a wrong phrase is no as well. The question names the real phrase.
        var phrase = OrganizationTrust.Fingerprint(forged.Id, forged.PublicKey);
        var (untrusted, _, question) = await _owner.RunAsync("org", "trust", forged.Id.ToString(), "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, untrusted);
        Assert.Contains($"You are now listed as a member of 'Injected Org' (fingerprint: {phrase}). Did you accept an invitation to it, perhaps from another app?", question, StringComparison.Ordinal);
        Assert.Contains("stays quarantined", question, StringComparison.Ordinal);
        var (wrong, _, _) = await _owner.RunAsync("org", "trust", forged.Id.ToString(), "--fingerprint", "alpha beta gamma delta epsilon", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, wrong);

        Assert.Empty(forged.UsedIn(proxy.Egress));
        AssertNoLeak(
            proxy, _owner, Secret.Key("forged org key", forged.OrgKey.ToArray()), Secret.Text("item password", "mine-s3cret"), Secret.Text("new item password", "p3rsonal-pass"));
        Assert.Empty(Pins(proxy, _owner, email)?.Organizations ?? []);

        // The user says yes at the terminal: pinned with the key and public key it was shown, and used from then on.
        _owner.Terminal = _ => "yes";
        await _owner.OkAsync("org", "trust", forged.Id.ToString(), "--passwordenv", "MP");
        var pin = Pins(proxy, _owner, email)!.Organizations[forged.Id];
        Assert.Equal(OrganizationOrigin.ConfirmedByUserPrompt, pin.Origin);
        Assert.Equal(forged.OrgKey.KeyId, pin.KeyId);
        Assert.Equal(OrganizationTrust.PublicKeyDigest(forged.PublicKey), pin.PublicKeySha256);
        Assert.Contains(forged.ItemName, await _owner.OkAsync("list", "--passwordenv", "MP"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrgOverwrite_OnTheFirstSyncAfterCreate_IsRefused_TheOrganizationIsDisabled_NothingIsEncryptedUnderTheServersKey()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        var email = await _owner.LoginNewAccountAsync(proxy.BaseAddress, Password);
        await _owner.OkAsync("add", "login", "--name", "Mine", "--password", "mine-s3cret", "--passwordenv", "MP");

        // Baseline: created here and pinned before the first sync, with the public key this client generated.
        var baseline = Guid.Parse((await _owner.OkAsync("org", "create", "Baseline", "--passwordenv", "MP")).Trim());
        var baselinePin = Pins(proxy, _owner, email)!.Organizations[baseline];
        Assert.Equal(OrganizationOrigin.CreatedHere, baselinePin.Origin);
        Assert.NotNull(baselinePin.KeyId);
        Assert.Equal(CreatedPublicKeyDigest(proxy, "Baseline"), baselinePin.PublicKeySha256);
        await _owner.OkAsync("add", "login", "--name", "Shared", "--password", "sh4red", "--org", "Baseline", "--passwordenv", "MP");

        using var replacement = ForgedOrganization.Create("Server key");
        proxy.Arm(OrganizationScenarios.OrgOverwrite(replacement));
        proxy.ClearEgress();
        var (created, output, error) = await _owner.RunAsync("org", "create", "Acme", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.ServerIntegrity, created);
        Assert.Contains($"{IntegrityFailed} (org-overwrite): The server replaced the keys of organization", error, StringComparison.Ordinal);
        var acme = Guid.Parse(output.Trim());

        // Both organizations whose key the server swapped are disabled; the pins keep the keys this client knew.
        var pins = Pins(proxy, _owner, email)!;
        Assert.NotNull(pins.Organizations[acme].DisabledDate);
        Assert.Equal(OrganizationOrigin.CreatedHere, pins.Organizations[acme].Origin);
        Assert.NotEqual(replacement.OrgKey.KeyId, pins.Organizations[acme].KeyId);
        Assert.Equal(CreatedPublicKeyDigest(proxy, "Acme"), pins.Organizations[acme].PublicKeySha256);
        Assert.Equal(baselinePin with { DisabledDate = pins.Organizations[baseline].DisabledDate }, pins.Organizations[baseline]);
        Assert.NotNull(pins.Organizations[baseline].DisabledDate);

        foreach (var args in new[]
        {
            new[] { "add", "login", "--name", "New", "--password", "n3w-pass", "--org", "Acme", "--passwordenv", "MP" },
            ["collection", "add", "Acme", "Engineering", "--passwordenv", "MP"],
            ["list", "--org", "Baseline", "--passwordenv", "MP"],
            ["share", "Mine", "Acme", "--collection", "Engineering", "--passwordenv", "MP"],
        })
        {
            var (code, _, refusal) = await _owner.RunAsync(args);
            Assert.True(code == ExitCodes.ServerIntegrity, $"coffer {string.Join(' ', args)}: {code} {refusal}");
            Assert.Contains("(org-overwrite)", refusal, StringComparison.Ordinal);
        }

        var personal = await _owner.OkAsync("list", "--passwordenv", "MP");
        Assert.Contains("Mine", personal, StringComparison.Ordinal);
        Assert.DoesNotContain("Shared", personal, StringComparison.Ordinal);
        Assert.Empty(replacement.UsedIn(proxy.Egress));
        Assert.Empty(proxy.Requests("POST", "^/api/ciphers/create$"));
        Assert.Empty(proxy.Requests("POST", "^/api/organizations/[^/]+/collections$"));
        AssertNoLeak(proxy, _owner, Secret.Text("item password", "mine-s3cret"));

        // The server stops: the organizations stay disabled on this device until the user trusts them again.
        proxy.Disarm();
        var (_, _, honestSync) = await _owner.RunAsync("sync");
        Assert.Contains("coffer: warning (org-overwrite): Organization 'Acme'", honestSync, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.ServerIntegrity, (await _owner.RunAsync("list", "--org", "Acme", "--passwordenv", "MP")).ExitCode);
    }

    [Fact]
    public async Task ConfirmPkSwap_ForAMemberPinnedAtAnEarlierConfirm_IsRefusedBeforeAnyQuestion_NoOrganizationKeyIsWrappedForTheServer()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        var ownerEmail = await _owner.LoginNewAccountAsync(proxy.BaseAddress, Password);
        var memberEmail = await _member.LoginNewAccountAsync(proxy.BaseAddress, Password);
        var phrase = (await _member.OkAsync("get", "fingerprint", "me", "--passwordenv", "MP")).Trim();

        // Baseline: invited, accepted with the link (pinned accepted-here), confirmed by the phrase (member pinned).
        await _owner.OkAsync("org", "create", "First", "--passwordenv", "MP");
        await _member.OkAsync("org", "accept", (await _owner.OkAsync("org", "invite", "First", memberEmail)).Trim());
        await _owner.OkAsync("org", "confirm", "First", memberEmail, "--fingerprint", phrase, "--passwordenv", "MP");
        var memberId = MemberUserId(await _owner.OkAsync("org", "members", "First", "--json"), memberEmail);
        var personPin = Pins(proxy, _owner, ownerEmail)!.People[memberId];
        Assert.Equal("org-member", personPin.Relation);
        await _member.OkAsync("sync");
        await _member.OkAsync("list", "--org", "First", "--passwordenv", "MP");
        var memberPin = Pins(proxy, _member, memberEmail)!.Organizations.Values.Single();
        Assert.Equal(OrganizationOrigin.AcceptedHere, memberPin.Origin);
        Assert.NotNull(memberPin.KeyId);

        await _owner.OkAsync("org", "create", "Second", "--passwordenv", "MP");
        await _member.OkAsync("org", "accept", (await _owner.OkAsync("org", "invite", "Second", memberEmail)).Trim());
        using var attacker = new AttackerKeyPair();
        proxy.Arm(OrganizationScenarios.ConfirmPkSwap(memberId, attacker));
        proxy.ClearEgress();
        var (typedPhrase, _, typedError) = await _owner.RunAsync("org", "confirm", "Second", memberEmail, "--fingerprint", phrase, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.ServerIntegrity, typedPhrase);
        Assert.Contains($"{IntegrityFailed} (confirm-pk-swap)", typedError, StringComparison.Ordinal);
        var asked = 0;
        _owner.Terminal = _ =>
        {
            asked++;
            return "yes";
        };
        var (atTerminal, _, terminalError) = await _owner.RunAsync("org", "confirm", "Second", memberEmail, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.ServerIntegrity, atTerminal);
        Assert.Contains("(confirm-pk-swap)", terminalError, StringComparison.Ordinal);
        Assert.Equal(0, asked);

        Assert.Empty(proxy.Requests("POST", "^/api/organizations/[^/]+/users/[^/]+/confirm$"));
        Assert.Empty(attacker.OpenedIn(proxy.Egress));
        Assert.Equal(personPin, Pins(proxy, _owner, ownerEmail)!.People[memberId]);
        AssertNoLeak(proxy, _owner);
        proxy.Disarm();
        Assert.Contains($"{memberEmail}\tTest\tuser\taccepted", await _owner.OkAsync("org", "members", "Second"), StringComparison.Ordinal);

        // Someone never pinned: the swapped key's phrase differs from the one they read out, and nothing is pinned.
        using var reader = new CliRun();
        var readerEmail = await reader.LoginNewAccountAsync(proxy.BaseAddress, Password);
        var readerPhrase = (await reader.OkAsync("get", "fingerprint", "me", "--passwordenv", "MP")).Trim();
        await _owner.OkAsync("org", "invite", "Second", readerEmail);
        var readerId = MemberUserId(await _owner.OkAsync("org", "members", "Second", "--json"), readerEmail);
        proxy.Arm(OrganizationScenarios.ConfirmPkSwap(readerId, attacker));
        var (mismatch, _, mismatchError) = await _owner.RunAsync("org", "confirm", "Second", readerEmail, "--fingerprint", readerPhrase, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, mismatch);
        Assert.Contains("does not match", mismatchError, StringComparison.Ordinal);
        Assert.False(Pins(proxy, _owner, ownerEmail)!.People.ContainsKey(readerId));
        Assert.Empty(attacker.OpenedIn(proxy.Egress));
    }

    [Fact]
    public async Task EaPkSwap_AtRotationAndAtConfirm_ForAGranteePinnedAtConfirm_IsRefused_TheUserKeyIsNeverWrappedForTheServer()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        var grantorEmail = await _owner.LoginNewAccountAsync(proxy.BaseAddress, Password);
        var granteeEmail = await _member.LoginNewAccountAsync(proxy.BaseAddress, Password);
        await _owner.OkAsync("add", "login", "--name", "Safe", "--password", "s4fe-code", "--passwordenv", "MP");
        var phrase = (await _member.OkAsync("get", "fingerprint", "me", "--passwordenv", "MP")).Trim();

        // Baseline: confirmed by the phrase (grantee pinned), and a rotation re-wraps to them with no question.
        var grant = (await _owner.OkAsync("emergency", "invite", granteeEmail)).Trim();
        await _owner.OkAsync("emergency", "confirm", grant, "--fingerprint", phrase, "--passwordenv", "MP");
        var granteeId = Guid.Parse(proxy.Requests("GET", "^/api/users/[^/]+/public-key$")[^1].Path.Split('/')[3]);
        var personPin = Pins(proxy, _owner, grantorEmail)!.People[granteeId];
        Assert.Equal("grantee", personPin.Relation);
        await _owner.OkAsync("account", "rotate-key", "--passwordenv", "MP");
        await _owner.OkAsync("login", grantorEmail, "--passwordenv", "MP");

        using var attacker = new AttackerKeyPair();
        proxy.Arm(OrganizationScenarios.EaPkSwap(granteeId, attacker));
        proxy.ClearEgress();
        var (rotation, _, rotationError) = await _owner.RunAsync("account", "rotate-key", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.ServerIntegrity, rotation);
        Assert.Contains($"{IntegrityFailed} (ea-pk-swap)", rotationError, StringComparison.Ordinal);
        Assert.Empty(proxy.Requests("POST", "^/api/accounts/key-management/rotate-user-account-keys$"));

        // A second grant to the same person, confirmed while the server swaps their key.
        proxy.Disarm();
        await _owner.OkAsync("emergency", "rm", grant);
        var second = (await _owner.OkAsync("emergency", "invite", granteeEmail)).Trim();
        proxy.Arm(OrganizationScenarios.EaPkSwap(granteeId, attacker));
        var (confirm, _, confirmError) = await _owner.RunAsync("emergency", "confirm", second, "--fingerprint", phrase, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.ServerIntegrity, confirm);
        Assert.Contains($"{IntegrityFailed} (ea-pk-swap)", confirmError, StringComparison.Ordinal);
        Assert.Empty(proxy.Requests("POST", "^/api/emergency-access/[^/]+/confirm$"));

        Assert.Empty(attacker.OpenedIn(proxy.Egress));
        Assert.Equal(personPin, Pins(proxy, _owner, grantorEmail)!.People[granteeId]);
        AssertNoLeak(proxy, _owner, Secret.Text("item password", "s4fe-code"));
    }

    [Fact]
    public async Task ArAutoEnrolSwap_AcceptSyncConfirmAndRotation_NeverSendAResetPasswordKey()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        var ownerEmail = await _owner.LoginNewAccountAsync(proxy.BaseAddress, Password);
        var memberEmail = await _member.LoginNewAccountAsync(proxy.BaseAddress, Password);
        var organization = Guid.Parse((await _owner.OkAsync("org", "create", "Acme", "--passwordenv", "MP")).Trim());
        await _owner.OkAsync("collection", "add", "Acme", "Engineering", "--passwordenv", "MP");
        var link = (await _owner.OkAsync("org", "invite", "Acme", memberEmail, "--collection", "Engineering", "--passwordenv", "MP")).Trim();

        // Armed from the acceptance on: auto-enrolment on, and the organization's public key is the attacker's.
        using var attacker = new AttackerKeyPair();
        proxy.Arm(OrganizationScenarios.ArAutoEnrolSwap(organization, attacker));
        await _member.OkAsync("org", "accept", link);
        var phrase = (await _member.OkAsync("get", "fingerprint", "me", "--passwordenv", "MP")).Trim();
        await _owner.OkAsync("org", "confirm", "Acme", memberEmail, "--fingerprint", phrase, "--passwordenv", "MP");
        await _owner.OkAsync("add", "login", "--name", "Team", "--password", "t34m-pass", "--org", "Acme", "--collection", "Engineering", "--passwordenv", "MP");
        var (synced, _, notice) = await _member.RunAsync("sync");
        Assert.Equal(ExitCodes.Ok, synced);
        Assert.Contains("'Acme' asks to be able to reset your master password (account recovery). Coffer has no account recovery and does not enrol.", notice, StringComparison.Ordinal);
        Assert.Equal("t34m-pass", (await _member.OkAsync("get", "password", "Team", "--passwordenv", "MP")).Trim());
        using var memberKey = UserKey(_member);
        using var ownerKey = UserKey(_owner);
        await _member.OkAsync("account", "rotate-key", "--passwordenv", "MP");
        await _owner.OkAsync("account", "rotate-key", "--passwordenv", "MP");

        var accepts = proxy.Requests("POST", "^/api/organizations/[^/]+/users/[^/]+/accept$");
        Assert.Single(accepts);
        Assert.Equal(JsonValueKind.Null, accepts[0].BodyJson()!["resetPasswordKey"]?.GetValueKind() ?? JsonValueKind.Null);
        Assert.All(proxy.Egress, r => Assert.DoesNotContain(r.BodyJson() is { } body ? ResetPasswordKeys(body) : [], v => v is not null));
        Assert.DoesNotContain(proxy.Egress, r => r.Path.Contains("reset-password", StringComparison.OrdinalIgnoreCase));
        var rotations = proxy.Requests("POST", "^/api/accounts/key-management/rotate-user-account-keys$");
        Assert.Equal(2, rotations.Count);
        Assert.All(rotations, r => Assert.Empty(r.BodyJson()!["accountUnlockData"]!["organizationAccountRecoveryUnlockData"]!.AsArray()));
        Assert.Empty(attacker.OpenedIn(proxy.Egress));
        Assert.Empty(proxy.Leaks(
            Secret.Key("member's user key", memberKey.ToArray()), Secret.Key("owner's user key", ownerKey.ToArray()),
            Secret.Text("master password", Password), Secret.Text("item password", "t34m-pass")));
    }

    [Fact]
    public async Task RotateOrgKeySwap_ForAnOrganizationCreatedHere_RefusesTheRotationBeforeSendingIt_AndDisablesTheOrganization()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        var email = await _owner.LoginNewAccountAsync(proxy.BaseAddress, Password);
        var organization = Guid.Parse((await _owner.OkAsync("org", "create", "Acme", "--passwordenv", "MP")).Trim());
        await _owner.OkAsync("add", "login", "--name", "Team", "--password", "t34m-pass", "--org", "Acme", "--passwordenv", "MP");
        await _owner.OkAsync("add", "login", "--name", "Mine", "--password", "mine-s3cret", "--passwordenv", "MP");

        // Baseline: a rotation with an organization goes through, and the organization's items still open.
        await _owner.OkAsync("account", "rotate-key", "--passwordenv", "MP");
        await _owner.OkAsync("login", email, "--passwordenv", "MP");
        Assert.Equal("t34m-pass", (await _owner.OkAsync("get", "password", "Team", "--passwordenv", "MP")).Trim());

        using var attacker = new AttackerKeyPair();
        proxy.Arm(OrganizationScenarios.RotateOrgKeySwap(organization, attacker));
        proxy.ClearEgress();
        var (rotation, _, error) = await _owner.RunAsync("account", "rotate-key", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.ServerIntegrity, rotation);
        Assert.Contains($"{IntegrityFailed} (org-overwrite): The server replaced the keys of organization 'Acme'", error, StringComparison.Ordinal);
        Assert.Empty(proxy.Requests("POST", "^/api/accounts/key-management/rotate-user-account-keys$"));
        Assert.Empty(attacker.OpenedIn(proxy.Egress));
        Assert.NotNull(Pins(proxy, _owner, email)!.Organizations[organization].DisabledDate);
        AssertNoLeak(proxy, _owner, Secret.Text("item password", "mine-s3cret"));
    }

    [Fact]
    public async Task RotateInjectedOrg_TheInjectedOrganizationGetsNoCopyOfTheNewKey_AndTheRotationGoesOn()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        var email = await _owner.LoginNewAccountAsync(proxy.BaseAddress, Password);
        await _owner.OkAsync("add", "login", "--name", "Mine", "--password", "mine-s3cret", "--passwordenv", "MP");

        // Baseline: an honest rotation.
        await _owner.OkAsync("account", "rotate-key", "--passwordenv", "MP");
        await _owner.OkAsync("login", email, "--passwordenv", "MP");

        using var forged = ForgedOrganization.Create("Injected Org");
        proxy.Arm(OrganizationScenarios.RotateInjectedOrg(forged));
        proxy.ClearEgress();
        var (rotation, _, notices) = await _owner.RunAsync("account", "rotate-key", "--passwordenv", "MP");
        Assert.True(rotation == ExitCodes.Ok, notices);
        Assert.Contains("'Injected Org' is not trusted on this device: it gets no copy of the new key.", notices, StringComparison.Ordinal);
        var request = Assert.Single(proxy.Requests("POST", "^/api/accounts/key-management/rotate-user-account-keys$")).BodyJson()!;
        Assert.Empty(request["accountUnlockData"]!["organizationAccountRecoveryUnlockData"]!.AsArray());
        Assert.DoesNotContain(forged.Id.ToString(), request.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(forged.UsedIn(proxy.Egress));
        Assert.Empty(proxy.Requests("GET", $"^/api/organizations/{forged.Id}/(public-key|keys)$"));

        proxy.Disarm();
        await _owner.OkAsync("login", email, "--passwordenv", "MP");
        AssertNoLeak(proxy, _owner, Secret.Text("item password", "mine-s3cret"));
        Assert.Equal("mine-s3cret", (await _owner.OkAsync("get", "password", "Mine", "--passwordenv", "MP")).Trim());
        Assert.Empty(Pins(proxy, _owner, email)?.Organizations ?? []);
    }

    [Fact]
    public async Task PolicyInject_PoliciesOfOrganizationsNotTrustedHere_AreIgnored()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        await _owner.LoginNewAccountAsync(proxy.BaseAddress, Password);
        await _owner.OkAsync("add", "login", "--name", "Before", "--password", "b3fore", "--passwordenv", "MP");

        // OrganizationDataOwnership and auto-enrolling ResetPassword for an organization the user never joined, and an
        // OrganizationDataOwnership of an injected (quarantined) one.
        using var forged = ForgedOrganization.Create("Injected Org");
        var stranger = Guid.NewGuid();
        proxy.Arm(new HostileScenario(
            "policy-inject",
            [
                .. OrganizationScenarios.PolicyInject(stranger).Rules,
                .. OrganizationScenarios.PolicyInject(stranger, 8, new JsonObject { ["autoEnrollEnabled"] = true }).Rules,
                .. OrganizationScenarios.OrgInject(forged).Rules,
            ]));
        var (synced, _, syncError) = await _owner.RunAsync("sync");
        Assert.Equal(ExitCodes.Ok, synced);
        Assert.DoesNotContain("reset your master password", syncError, StringComparison.Ordinal);

        await _owner.OkAsync("add", "login", "--name", "After", "--password", "aft3r", "--passwordenv", "MP");
        await _owner.OkAsync("edit", "Before", "--password", "b3fore-2", "--passwordenv", "MP");
        var writes = proxy.Requests("POST", "^/api/ciphers$").Concat(proxy.Requests("PUT", "^/api/ciphers/[^/]+$")).ToList();
        Assert.True(writes.Count >= 3, string.Join(", ", writes.Select(w => w.Path)));
        Assert.All(writes, w => Assert.Null((string?)w.BodyJson()!["organizationId"]));
        Assert.Empty(proxy.Requests("POST", "^/api/ciphers/create$"));
        Assert.Empty(forged.UsedIn(proxy.Egress));
    }

    /// <summary>Neither <paramref name="cli"/>'s user key nor the master password, nor any of <paramref name="more"/>, left the CLI.</summary>
    private static void AssertNoLeak(HostileProxy proxy, CliRun cli, params Secret[] more)
    {
        using var userKey = UserKey(cli);
        Assert.Empty(proxy.Leaks([Secret.Key("user key", userKey.ToArray()), Secret.Text("master password", Password), .. more]));
    }

    /// <summary>The CLI's pin record for <paramref name="email"/> on the proxy's address, or null when none was written.</summary>
    private static AccountPins? Pins(HostileProxy proxy, CliRun cli, string email)
    {
        var path = Path.Combine(cli.ConfigDir, $"pins-{AccountPins.FileKey(proxy.BaseAddress.AbsoluteUri, email)}.json");
        return File.Exists(path) ? AccountPins.FromJson(File.ReadAllText(path)) : null;
    }

    /// <summary>The logged-in account's user key, opened the way the harness knows it: its master password.</summary>
    private static SymmetricKey UserKey(CliRun cli)
    {
        var session = JsonSerializer.Deserialize<SessionState>(
            File.ReadAllText(Path.Combine(cli.ConfigDir, StateFiles.Session)), WebJson)!;
        return UserKeys.Unlock(session.ProtectedUserKey, Password, session.Email, session.Kdf.ToConfig());
    }

    /// <summary>Base64 SHA-256 of the public key the CLI sent when it created <paramref name="name"/>.</summary>
    private static string CreatedPublicKeyDigest(HostileProxy proxy, string name)
    {
        var create = proxy.Requests("POST", "^/api/organizations$").Select(r => r.BodyJson()!).Single(b => (string?)b["name"] == name);
        return OrganizationTrust.PublicKeyDigest((string)create["keys"]!["publicKey"]!);
    }

    private static Guid MemberUserId(string membersJson, string email) =>
        JsonDocument.Parse(membersJson).RootElement.EnumerateArray()
            .Single(m => m.GetProperty("email").GetString() == email).GetProperty("userId").GetGuid();

    private static IEnumerable<JsonNode?> ResetPasswordKeys(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => string.Equals(p.Key, "resetPasswordKey", StringComparison.OrdinalIgnoreCase) ? [p.Value] : ResetPasswordKeys(p.Value)),
        JsonArray a => a.SelectMany(ResetPasswordKeys),
        _ => [],
    };
}
