using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Emergency;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.Organizations;
using Coffer.Server.Tests.TwoFactor;
using Coffer.Server.TwoFactor;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Tests.Emergency;

/// <summary>
/// Takeover (<c>bitwarden-sharing-features.md</c> §4.5, pitfall 22, E-12): what the grantee receives, both bodies of
/// <c>…/password</c>, and its effects on the grantor's account (sessions, two-step login, memberships); policies; and
/// key rotation re-wrapping every grant with a key (<c>bitwarden-account.md</c> §3.3).
/// </summary>
public sealed class EmergencyTakeoverTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task Takeover_ReturnsTheGrantorsKdfSaltAndWrappedKey()
    {
        var grantor = await TestAccount.CreateAsync(factory, Kdf.Argon2id);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await grantor.InviteAsync(grantee.Email, type: 1);
        var key = EmergencyApi.WrappedKey();
        await grantor.ExpectPostAsync(id, "confirm", new JsonObject { ["key"] = key });
        await grantee.ExpectPostAsync(id, "initiate");
        await grantor.ExpectPostAsync(id, "approve");

        var takeover = (await grantee.ExpectPostAsync(id, "takeover"))!;

        Assert.Equal("emergencyAccessTakeover", takeover.RequireString("object"));
        Assert.Equal(1, (int?)takeover["kdf"]);
        Assert.Equal(3, (int?)takeover["kdfIterations"]);
        Assert.Equal(64, (int?)takeover["kdfMemory"]);
        Assert.Equal(4, (int?)takeover["kdfParallelism"]);
        Assert.Equal(key, takeover.RequireString("keyEncrypted"));
        Assert.Equal(grantor.Credentials.Salt, takeover.RequireString("salt"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Password_EndsTheGrantorsSessions_RefusesTheOldPassword_AndTheNewOneLogsIn(bool objects)
    {
        var (grantor, grantee, id) = await ApprovedTakeoverAsync();
        var (newHash, newKey) = (Fake.MasterPasswordHash(), Fake.EncString());

        await grantee.ExpectPostAsync(id, "password", PasswordBody(grantor, newHash, newKey, objects));

        // E-12: the old access and refresh tokens are dead, the old password too.
        await AccountChanges.AssertSessionEndedAsync(grantor);
        Assert.Null(await AccountChanges.TryLoginAsync(factory, grantor.Email, grantor.Credentials.MasterPasswordHash));
        var login = await AccountChanges.TryLoginAsync(factory, grantor.Email, newHash);
        Assert.NotNull(login);
        Assert.Equal(newKey, login.RequireString("Key"));
        // The grant stays approved, as in both reference servers; the grantee's own session is untouched.
        Assert.Equal(EmergencyAccessStatus.RecoveryApproved, await StoredStatusAsync(id));
        await AccountChanges.AssertSessionAliveAsync(grantee);
        Assert.Contains(EventType.UserChangedPassword, await AccountChanges.AuditEventsAsync(factory, grantor.UserId));
    }

    [Fact]
    public async Task Password_RemovesTwoStepLoginEntirely_SoTheNewPasswordLogsInWithoutASecondFactor()
    {
        var (grantor, grantee, id) = await ApprovedTakeoverAsync();
        await TwoFactorApi.EnableAsync(grantor);
        await AddSecurityKeyAndPasskeyAsync(grantor);
        await AccountChanges.QueryAsync(factory, db =>
            db.Users.Where(u => u.Id == Guid.Parse(grantor.UserId)).ExecuteUpdateAsync(s => s.SetProperty(u => u.TwoFactorEmail, grantor.Email)));
        await TwoFactorApi.LoginAsync(grantor).ExpectChallengeAsync();
        var newHash = Fake.MasterPasswordHash();

        await grantee.ExpectPostAsync(id, "password", PasswordBody(grantor, newHash, Fake.EncString(), objects: false));

        await TwoFactorApi.LoginAsync(grantor, password: newHash).ExpectLoginAsync();
        var user = await AccountChanges.QueryAsync(factory, db => db.Users.AsNoTracking().SingleAsync(u => u.Id == Guid.Parse(grantor.UserId)));
        Assert.Null(user.TotpSecret);
        Assert.Null(user.TwoFactorEmail);
        Assert.Null(user.TwoFactorRecoveryCodeHash);
        Assert.Equal(0, await AccountChanges.QueryAsync(factory, db => db.WebAuthnCredentials.CountAsync(c => c.UserId == user.Id)));
        Assert.Contains(EventType.UserDisabled2fa, await AccountChanges.AuditEventsAsync(factory, grantor.UserId));
    }

    [Fact]
    public async Task Password_RemovesTheGrantorFromOrganizationsItDoesNotOwn()
    {
        var (grantor, grantee, id) = await ApprovedTakeoverAsync();
        var owned = await OrgHarness.CreateAsync(grantor);
        var joined = await OrgHarness.CreateAsync(factory);
        var invitation = await joined.InviteAsync(grantor.Email);
        await joined.ConfirmAsync(Guid.Parse(invitation.RequireString("id")), grantor);

        await grantee.ExpectPostAsync(id, "password", PasswordBody(grantor, Fake.MasterPasswordHash(), Fake.EncString(), objects: false));

        var memberships = await AccountChanges.QueryAsync(factory, db =>
            db.Memberships.AsNoTracking().Where(m => m.UserId == Guid.Parse(grantor.UserId)).ToListAsync());
        var kept = Assert.Single(memberships);
        Assert.Equal(owned.Id, kept.OrganizationId);
        Assert.Equal(MembershipType.Owner, kept.Type);
    }

    [Fact]
    public async Task Password_WithTheSaltOrKdfOfAnotherAccount_Returns400_AndChangesNothing()
    {
        var (grantor, grantee, id) = await ApprovedTakeoverAsync();
        var otherSalt = PasswordBody(grantor, Fake.MasterPasswordHash(), Fake.EncString(), objects: false);
        otherSalt["salt"] = Fake.Email();
        var otherKdf = PasswordBody(grantor, Fake.MasterPasswordHash(), Fake.EncString(), objects: true);
        otherKdf["authenticationData"]!["kdf"]!["iterations"] = 700_000;
        otherKdf["unlockData"]!["kdf"]!["iterations"] = 700_000;
        var halfObjects = PasswordBody(grantor, Fake.MasterPasswordHash(), Fake.EncString(), objects: true);
        halfObjects.Remove("unlockData");
        var disagreeing = PasswordBody(grantor, Fake.MasterPasswordHash(), Fake.EncString(), objects: true);
        disagreeing["newMasterPasswordHash"] = Fake.MasterPasswordHash();

        await grantee.PostAsync(id, "password", otherSalt).ExpectRefusedAsync("Invalid master password salt.");
        await grantee.PostAsync(id, "password", otherKdf).ExpectRefusedAsync("The KDF settings must be the grantor's current ones.");
        await grantee.PostAsync(id, "password", halfObjects).ExpectRefusedAsync("authenticationData and unlockData must be sent together.");
        await grantee.PostAsync(id, "password", disagreeing).ExpectRefusedAsync("The flat fields and the objects of the request disagree.");
        await grantee.PostAsync(id, "password", new JsonObject { ["key"] = Fake.EncString() })
            .ExpectRefusedAsync("The new master password hash must be Base64 of 32 bytes.");
        await grantee.PostAsync(id, "password", new JsonObject { ["newMasterPasswordHash"] = Fake.MasterPasswordHash(), ["key"] = "4.abc" })
            .ExpectRefusedAsync("The protected user key must be an EncString of type 2.");

        await AccountChanges.AssertSessionAliveAsync(grantor);
        Assert.NotNull(await AccountChanges.TryLoginAsync(factory, grantor.Email, grantor.Credentials.MasterPasswordHash));
    }

    [Fact]
    public async Task Password_AfterTheGrantorRejected_Returns400()
    {
        var (grantor, grantee, id) = await ApprovedTakeoverAsync();
        await grantee.ExpectPostAsync(id, "takeover");
        await grantor.ExpectPostAsync(id, "reject");

        await grantee.PostAsync(id, "password", PasswordBody(grantor, Fake.MasterPasswordHash(), Fake.EncString(), objects: false)).ExpectRefusedAsync();

        await AccountChanges.AssertSessionAliveAsync(grantor);
    }

    [Fact]
    public async Task Policies_ListTheEnabledPoliciesOfOrganizationsTheGrantorOwns()
    {
        var (grantor, grantee, id) = await ApprovedTakeoverAsync();
        var owned = await OrgHarness.CreateAsync(grantor);
        await SetPolicyAsync(owned, 1, new JsonObject { ["minLength"] = 14 });
        var joined = await OrgHarness.CreateAsync(factory);
        await joined.InviteAsync(grantor.Email);
        await SetPolicyAsync(joined, 1, new JsonObject { ["minLength"] = 20 });

        using var response = await grantee.Client.GetAsync($"/api/emergency-access/{id}/policies");
        var list = await response.ExpectObjectAsync();

        Assert.Equal("list", list.RequireString("object"));
        var policy = Assert.Single(list.RequireArray("data"))!;
        Assert.Equal(owned.Id.ToString(), policy.RequireString("organizationId"));
        Assert.Equal(14, (int?)policy["data"]!["minLength"]);
    }

    [Fact]
    public async Task KeyRotation_ListsEachGrantWithAKey_AndRefusesARotationThatMissesOne()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var confirmed = await TestAccount.CreateAsync(factory);
        var accepted = await TestAccount.CreateAsync(factory);
        var id = await EmergencyApi.GrantAsync(grantor, confirmed, EmergencyAccessStatus.RecoveryInitiated);
        await EmergencyApi.GrantAsync(grantor, accepted, EmergencyAccessStatus.Accepted);

        using (var data = await grantor.Client.GetAsync(AccountChanges.RotationDataUrl))
        {
            var entry = Assert.Single((await data.ExpectObjectAsync()).RequireArray("emergencyAccessKeyData"))!;
            Assert.Equal(id, entry.RequireString("id"));
            Assert.Equal(confirmed.UserId, entry.RequireString("granteeId"));
            Assert.Equal(confirmed.Email, entry.RequireString("granteeEmail"));
            Assert.Equal(confirmed.Credentials.PublicKey, entry.RequireString("publicKey"));
            Assert.Equal("emergencyAccessKeyData", entry.RequireString("object"));
        }

        var missing = KeyRotationTests.Rotation(grantor, new KeyRotationTests.Vault([], [], ""));
        using (var refused = await grantor.Client.PostJsonAsync(AccountChanges.RotateUrl, missing.Body))
        {
            var error = await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            Assert.Equal("All existing emergency access keys must be included in the rotation.", (string?)error["message"]);
        }

        var rotation = KeyRotationTests.Rotation(grantor, new KeyRotationTests.Vault([], [], ""));
        var rewrapped = EmergencyApi.WrappedKey();
        rotation.Body["accountUnlockData"]!["emergencyAccessUnlockData"] = new JsonArray(
            new JsonObject { ["id"] = id, ["type"] = 0, ["waitTimeDays"] = 1, ["keyEncrypted"] = rewrapped });
        using (var rotated = await grantor.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body))
        {
            await rotated.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.Equal(rewrapped, await AccountChanges.QueryAsync(factory, db =>
            db.EmergencyAccessGrants.Where(g => g.Id == Guid.Parse(id)).Select(g => g.KeyEncrypted).SingleAsync()));
    }

    [Fact]
    public async Task KeyRotation_NamingAnotherGrantorsGrant_Returns400()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var stranger = await EmergencyApi.GrantAsync(await TestAccount.CreateAsync(factory), await TestAccount.CreateAsync(factory), EmergencyAccessStatus.Confirmed);
        var rotation = KeyRotationTests.Rotation(grantor, new KeyRotationTests.Vault([], [], ""));
        rotation.Body["accountUnlockData"]!["emergencyAccessUnlockData"] = new JsonArray(
            new JsonObject { ["id"] = stranger, ["keyEncrypted"] = EmergencyApi.WrappedKey() });

        using var refused = await grantor.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(await AccountChanges.TryLoginAsync(factory, grantor.Email, grantor.Credentials.MasterPasswordHash));
    }

    private async Task<(TestAccount Grantor, TestAccount Grantee, string Id)> ApprovedTakeoverAsync()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await EmergencyApi.GrantAsync(grantor, grantee, EmergencyAccessStatus.RecoveryApproved, EmergencyAccessType.Takeover);
        return (grantor, grantee, id);
    }

    /// <summary>The two bodies of §4.5: flat, or the objects of the password change (with the flat fields too, as the web sends them).</summary>
    private static JsonObject PasswordBody(TestAccount grantor, string newHash, string newKey, bool objects)
    {
        var body = new JsonObject { ["newMasterPasswordHash"] = newHash, ["key"] = newKey, ["salt"] = grantor.Credentials.Salt };
        if (objects)
        {
            body["authenticationData"] = new JsonObject
            {
                ["salt"] = grantor.Credentials.Salt,
                ["kdf"] = grantor.Credentials.Kdf.ToObject(),
                ["masterPasswordAuthenticationHash"] = newHash,
            };
            body["unlockData"] = new JsonObject
            {
                ["salt"] = grantor.Credentials.Salt,
                ["kdf"] = grantor.Credentials.Kdf.ToObject(),
                ["masterKeyWrappedUserKey"] = newKey,
            };
        }

        return body;
    }

    private static async Task SetPolicyAsync(TestOrganization organization, int type, JsonObject data)
    {
        using var response = await organization.Owner.Client.PutJsonAsync(organization.Url($"/policies/{type}"), new JsonObject { ["enabled"] = true, ["data"] = data });
        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    private Task<EmergencyAccessStatus> StoredStatusAsync(string id) => AccountChanges.QueryAsync(factory, db =>
        db.EmergencyAccessGrants.Where(g => g.Id == Guid.Parse(id)).Select(g => g.Status).SingleAsync());

    private async Task AddSecurityKeyAndPasskeyAsync(TestAccount account)
    {
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        await AccountChanges.QueryAsync(factory, async db =>
        {
            foreach (var kind in new[] { WebAuthnCredentialKind.SecurityKey, WebAuthnCredentialKind.Passkey })
            {
                db.WebAuthnCredentials.Add(new WebAuthnCredential
                {
                    Id = Guid.NewGuid(),
                    UserId = Guid.Parse(account.UserId),
                    Kind = kind,
                    SlotId = kind == WebAuthnCredentialKind.SecurityKey ? 1 : 0,
                    Name = kind.ToString(),
                    CredentialId = Guid.NewGuid().ToString("N"),
                    PublicKey = [1, 2, 3],
                    CreationDate = now,
                });
            }

            return await db.SaveChangesAsync();
        });
    }
}
