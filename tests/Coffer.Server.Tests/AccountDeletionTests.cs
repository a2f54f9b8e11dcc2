using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Tests;

/// <summary>Account doc §3.6: <c>DELETE /api/accounts</c> and its alias <c>POST /api/accounts/delete</c>.</summary>
public sealed class AccountDeletionTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Theory]
    [InlineData("DELETE", "/api/accounts")]
    [InlineData("POST", "/api/accounts/delete")]
    public async Task DeleteAccount_WithTheRightHash_RemovesTheAccountItsVaultAndEveryToken(string method, string url)
    {
        var account = await TestAccount.CreateAsync(factory);
        await account.CreateCipherAsync(Payloads.LoginCipher((await account.CreateFolderAsync()).RequireString("id")));

        using var response = await account.Client.SendJsonAsync(new HttpMethod(method), url, AccountChanges.Secret(account.Credentials.MasterPasswordHash));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        using (var revision = await account.Client.GetAsync("/api/accounts/revision-date"))
        {
            await revision.ExpectStatusAsync(HttpStatusCode.Unauthorized);
        }

        await AccountChanges.AssertSessionEndedAsync(account);
        Assert.Null(await AccountChanges.TryLoginAsync(factory, account.Email, account.Credentials.MasterPasswordHash));

        // Prelogin still answers, with decoy settings that are stable for the address, like any unknown e-mail.
        var prelogin = await IdentityApi.PreloginAsync(factory.Anonymous(), account.Email);
        Assert.Equal(account.Email, (string?)prelogin["salt"]);
        Assert.True(Json.DeepEquals(prelogin, await IdentityApi.PreloginAsync(factory.Anonymous(), account.Email)));

        var id = Guid.Parse(account.UserId);
        var left = await AccountChanges.QueryAsync(factory, async db => new[]
        {
            await db.Users.CountAsync(u => u.Id == id),
            await db.Ciphers.CountAsync(c => c.UserId == id),
            await db.Folders.CountAsync(f => f.UserId == id),
            await db.Devices.CountAsync(d => d.UserId == id),
            await db.RefreshTokens.CountAsync(t => t.UserId == id),
        });
        Assert.All(left, count => Assert.Equal(0, count));
        Assert.Contains(EventType.UserDeletedAccount, await AccountChanges.AuditEventsAsync(factory, account.UserId));
    }

    [Fact]
    public async Task DeleteAccount_FreesTheEmail_ForANewEmptyAccount()
    {
        var account = await TestAccount.CreateAsync(factory);
        await account.CreateCipherAsync();
        using (var response = await account.Client.SendJsonAsync(HttpMethod.Delete, "/api/accounts", AccountChanges.Secret(account.Credentials.MasterPasswordHash)))
        {
            await response.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var again = Credentials.New(email: account.Email);
        await IdentityApi.RegisterAsync(factory.Anonymous(), again);
        var token = await IdentityApi.LoginAsync(factory.Anonymous(), again, Fake.DeviceIdentifier());
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.RequireString("access_token"));
        using var sync = await client.GetAsync("/api/sync");

        Assert.Empty((await sync.ExpectObjectAsync()).RequireArray("ciphers"));
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("otp")]
    [InlineData("empty object")]
    public async Task DeleteAccount_WithoutTheRightHash_Returns400_AndDeletesNothing(string kind)
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipher = await account.CreateCipherAsync();
        JsonObject body = kind switch
        {
            "wrong" => AccountChanges.Secret(Fake.MasterPasswordHash()),
            "otp" => new JsonObject { ["otp"] = "123456" },
            _ => [],
        };

        using var response = await account.Client.SendJsonAsync(HttpMethod.Delete, "/api/accounts", body);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid password.", (string?)error["message"]);
        Assert.NotNull(await account.SyncedCipherAsync(cipher.RequireString("id")));
    }

    [Fact]
    public async Task DeleteAccount_WithNoBody_Returns400_AndDeletesNothing()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.SendEmptyAsync(HttpMethod.Delete, "/api/accounts");

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await AccountChanges.AssertSessionAliveAsync(account);
    }

    [Fact]
    public async Task DeleteAccount_LeavesOtherAccountsAlone()
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var cipher = await other.CreateCipherAsync();

        using var response = await account.Client.SendJsonAsync(HttpMethod.Delete, "/api/accounts", AccountChanges.Secret(account.Credentials.MasterPasswordHash));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.NotNull(await other.SyncedCipherAsync(cipher.RequireString("id")));
    }
}
