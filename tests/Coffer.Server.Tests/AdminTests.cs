using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// <c>/admin/api</c>: who may use it (401 without a token, 403 for a signed-in non-admin, problem details
/// either way), and what each account action does to the target's sessions and data. The admins here are made as
/// the default rules want them (two-step login on, a fresh proof); <see cref="AdminProofTests"/> covers the proof.
/// </summary>
public sealed class AdminTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private static readonly string AnyId = Guid.NewGuid().ToString();

    public static TheoryData<string, string> AdminRoutes => new()
    {
        { "POST", "/admin/api/session" },
        { "GET", "/admin/api/users" },
        { "POST", $"/admin/api/users/{AnyId}/disable" },
        { "POST", $"/admin/api/users/{AnyId}/enable" },
        { "POST", $"/admin/api/users/{AnyId}/logout" },
        { "DELETE", $"/admin/api/users/{AnyId}" },
        { "POST", "/admin/api/invitations" },
        { "GET", "/admin/api/invitations" },
        { "DELETE", $"/admin/api/invitations/{AnyId}" },
        { "GET", "/admin/api/settings" },
        { "PUT", "/admin/api/settings" },
        { "GET", "/admin/api/events" },
        { "GET", "/admin/api/audit/verify" },
    };

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task AdminRoutes_AsNonAdmin_Return403(string method, string url)
    {
        var user = await TestAccount.CreateAsync(factory);

        using var response = await user.Client.SendJsonAsync(new HttpMethod(method), url, new JsonObject { ["email"] = Fake.Email(), ["registrationMode"] = "closed" });

        await response.ExpectProblemAsync(HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task AdminRoutes_Unauthenticated_Return401(string method, string url)
    {
        using var response = await factory.Anonymous().SendJsonAsync(new HttpMethod(method), url, new JsonObject { ["registrationMode"] = "closed" });

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")]
    public async Task AdminRoutes_WithForgedToken_Return401(string token)
    {
        var client = factory.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        using var response = await client.GetAsync("/admin/api/users");

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AdminRole_RevokedInDatabase_LosesAccessWithTheSameToken()
    {
        var admin = await factory.CreateAdminAsync();
        using (var before = await admin.Client.GetAsync("/admin/api/users"))
        {
            await before.ExpectStatusAsync(HttpStatusCode.OK);
        }

        await factory.SetAdminAsync(admin.UserId, false);

        using var after = await admin.Client.GetAsync("/admin/api/users");
        await after.ExpectProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ListUsers_ShowsMetadataAndCounts_NeverKeysOrHashes()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await TestAccount.CreateAsync(factory);
        await user.CreateCipherAsync();
        await user.CreateCipherAsync();

        using var response = await admin.Client.GetAsync("/admin/api/users");
        var body = await response.ExpectJsonAsync();

        var row = Assert.IsType<JsonObject>(body!.AsArray().Single(u => (string?)u!["id"] == user.UserId));
        Assert.Equal(user.Email, (string?)row["email"]);
        Assert.Equal(2, (int?)row["itemCount"]);
        Assert.False((bool?)row["disabled"]);
        Assert.False((bool?)row["admin"]);
        row.RequireUtcDate("creationDate");
        row.RequireUtcDate("lastLogin");
        var adminRow = body.AsArray().Single(u => (string?)u!["id"] == admin.UserId);
        Assert.True((bool?)adminRow!["admin"]);
        var text = body.ToJsonString();
        Assert.DoesNotContain(user.Credentials.UserKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(user.Credentials.PrivateKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain("$argon2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("securityStamp", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DisabledAccount_LoginRefusedExactlyLikeAWrongPassword_AndItsTokensStop()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await TestAccount.CreateAsync(factory);

        using (var disable = await admin.Client.PostAsync($"/admin/api/users/{user.UserId}/disable", null))
        {
            await disable.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        var client = factory.Anonymous();
        using var correct = await IdentityApi.PasswordGrantAsync(client, user.Email, user.Credentials.MasterPasswordHash, user.DeviceIdentifier);
        using var wrong = await IdentityApi.PasswordGrantAsync(client, user.Email, Fake.MasterPasswordHash(), user.DeviceIdentifier);
        var correctBody = await correct.ExpectObjectAsync(HttpStatusCode.BadRequest);
        var wrongBody = await wrong.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.True(JsonNode.DeepEquals(correctBody, wrongBody), $"{correctBody.ToJsonString()} vs {wrongBody.ToJsonString()}");

        using var sync = await user.Client.GetAsync("/api/sync");
        Assert.Equal(HttpStatusCode.Unauthorized, sync.StatusCode);
        using var refresh = await IdentityApi.RefreshAsync(client, user.RefreshToken);
        Assert.Equal("invalid_grant", (string?)(await refresh.ExpectObjectAsync(HttpStatusCode.BadRequest))["error"]);
    }

    [Fact]
    public async Task DisabledAccount_EnabledAgain_CanLogIn()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await TestAccount.CreateAsync(factory);
        using (var disable = await admin.Client.PostAsync($"/admin/api/users/{user.UserId}/disable", null))
        {
            await disable.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        using (var enable = await admin.Client.PostAsync($"/admin/api/users/{user.UserId}/enable", null))
        {
            await enable.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        var token = await IdentityApi.LoginAsync(factory.Anonymous(), user.Credentials, user.DeviceIdentifier);
        var client = factory.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.RequireString("access_token"));
        using var sync = await client.GetAsync("/api/sync");
        await sync.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ForceLogout_EndsAccessAndRefreshTokens_ButNotTheAccount()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await TestAccount.CreateAsync(factory);

        using (var logout = await admin.Client.PostAsync($"/admin/api/users/{user.UserId}/logout", null))
        {
            await logout.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        using var sync = await user.Client.GetAsync("/api/sync");
        Assert.Equal(HttpStatusCode.Unauthorized, sync.StatusCode);
        using var refresh = await IdentityApi.RefreshAsync(factory.Anonymous(), user.RefreshToken);
        Assert.Equal("invalid_grant", (string?)(await refresh.ExpectObjectAsync(HttpStatusCode.BadRequest))["error"]);
        await IdentityApi.LoginAsync(factory.Anonymous(), user.Credentials, user.DeviceIdentifier);
    }

    [Fact]
    public async Task DeleteUser_RemovesTheAccountAndAllItsData()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await TestAccount.CreateAsync(factory);
        await user.CreateFolderAsync();
        await user.CreateCipherAsync();

        using (var delete = await admin.Client.DeleteAsync($"/admin/api/users/{user.UserId}"))
        {
            await delete.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        using var db = factory.OpenDatabase();
        var id = Guid.Parse(user.UserId).ToString().ToUpperInvariant();
        // MySQL casts to CHAR, not TEXT (PostgreSQL's CHAR is one character).
        var text = TestDatabase.IsMySql ? "CHAR" : "TEXT";
        Assert.Equal(0, await db.ScalarAsync($"SELECT COUNT(*) FROM users WHERE upper(CAST(\"Id\" AS {text})) = @id", ("@id", id)));
        foreach (var table in new[] { "devices", "refresh_tokens", "folders", "ciphers" })
        {
            Assert.Equal(0, await db.ScalarAsync($"SELECT COUNT(*) FROM {table} WHERE upper(CAST(\"UserId\" AS {text})) = @id", ("@id", id)));
        }

        using var login = await IdentityApi.PasswordGrantAsync(factory.Anonymous(), user.Email, user.Credentials.MasterPasswordHash, user.DeviceIdentifier);
        await login.ExpectObjectAsync(HttpStatusCode.BadRequest);
        using var sync = await user.Client.GetAsync("/api/sync");
        Assert.Equal(HttpStatusCode.Unauthorized, sync.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/disable")]
    [InlineData("DELETE", "")]
    public async Task Admin_CannotDisableOrDeleteSelf(string method, string suffix)
    {
        var admin = await factory.CreateAdminAsync();

        using var response = await admin.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/admin/api/users/{admin.UserId}{suffix}"));

        await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
        using var still = await admin.Client.GetAsync("/admin/api/users");
        await still.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("POST", "/disable")]
    [InlineData("POST", "/enable")]
    [InlineData("POST", "/logout")]
    [InlineData("DELETE", "")]
    public async Task AccountActions_OnUnknownAccount_Return404(string method, string suffix)
    {
        var admin = await factory.CreateAdminAsync();

        using var response = await admin.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/admin/api/users/{Guid.NewGuid()}{suffix}"));

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AccountActions_WithMalformedId_Return404Problem()
    {
        var admin = await factory.CreateAdminAsync();

        using var response = await admin.Client.PostAsync("/admin/api/users/not-a-guid/disable", null);

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AdminActions_AreAudited_WithTheAdminAsActingUser()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await TestAccount.CreateAsync(factory);
        foreach (var verb in new[] { "disable", "enable", "logout" })
        {
            using var action = await admin.Client.PostAsync($"/admin/api/users/{user.UserId}/{verb}", null);
            await action.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        using var response = await admin.Client.GetAsync($"/admin/api/events?userId={user.UserId}");
        var page = await response.ExpectObjectAsync();

        var byAdmin = page.RequireArray("data").Where(e => (string?)e!["actingUserId"] == admin.UserId).Select(e => (int)e!["type"]!).ToList();
        Assert.Equal([9102, 9101, 9100], byAdmin);
        Assert.All(page.RequireArray("data").Where(e => (int)e!["type"]! >= 9100), e => Assert.Equal(user.UserId, (string?)e!["userId"]));
    }

    [Fact]
    public async Task AdminEvents_PageThroughEverything_NewestFirst()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await TestAccount.CreateAsync(factory);
        for (var i = 0; i < 105; i++)
        {
            await user.CreateCipherAsync();
        }

        var sequences = new List<long>();
        string? token = null;
        do
        {
            using var response = await admin.Client.GetAsync($"/admin/api/events?userId={user.UserId}&continuationToken={token}");
            var page = await response.ExpectObjectAsync();
            sequences.AddRange(page.RequireArray("data").Select(e => (long)e!["sequence"]!));
            token = (string?)page["continuationToken"];
        }
        while (token is not null);

        Assert.Equal(107, sequences.Count); // registered, logged in, 105 items
        Assert.Equal(sequences.OrderDescending(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
    }

    [Theory]
    [InlineData("start=yesterday")]
    [InlineData("start=2020-01-01T00:00:00Z&end=2021-01-03T00:00:00Z")]
    [InlineData("continuationToken=abc")]
    [InlineData("continuationToken=-5")]
    public async Task AdminEvents_BadQuery_Returns400Problem(string query)
    {
        var admin = await factory.CreateAdminAsync();

        using var response = await admin.Client.GetAsync($"/admin/api/events?{query}");

        await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/admin/api/users", "get")]
    [InlineData("/admin/api/users/{id}/disable", "post")]
    [InlineData("/admin/api/invitations", "post")]
    [InlineData("/admin/api/settings", "put")]
    [InlineData("/admin/api/audit/verify", "get")]
    public async Task AdminRoutes_AreDocumented_WithTagAndSummary(string path, string method)
    {
        using var response = await factory.Anonymous().GetAsync("/docs/v1/openapi.json");
        var document = await response.ExpectObjectAsync();

        var operation = document["paths"]?[path]?[method];
        Assert.NotNull(operation);
        Assert.Equal("Admin", (string?)operation["tags"]?[0]);
        Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]));
    }
}
