using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Admin;
using Coffer.Server.Data;
using Coffer.Server.Tests.TwoFactor;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>
/// Admin test setup. Promotion writes the database directly (as <c>coffer-server admin create</c> does, which
/// has its own process test); everything after that goes through HTTP.
/// </summary>
public static class AdminSetup
{
    /// <summary>
    /// An admin as the default rules want one: two-step login on (through the API, as the web vault turns it on),
    /// promoted, and elevated with the master password, so its <see cref="TestAccount.Client"/> carries a fresh
    /// admin proof besides the access token.
    /// </summary>
    public static async Task<TestAccount> CreateAdminAsync(this CofferFactory factory, bool twoFactor = true, bool prove = true)
    {
        var account = await TestAccount.CreateAsync(factory);
        if (twoFactor)
        {
            await TwoFactorApi.EnableAsync(account);
        }

        await factory.SetAdminAsync(account.UserId, true);
        if (prove)
        {
            await account.ProveAdminAsync();
        }

        return account;
    }

    /// <summary>Elevation: <c>POST /admin/api/session</c> with the given factors (default: the master password hash).</summary>
    public static Task<HttpResponseMessage> RequestProofAsync(this TestAccount admin, string? masterPasswordHash = null, string? otp = null) =>
        admin.Client.PostJsonAsync("/admin/api/session", new JsonObject
        {
            ["masterPasswordHash"] = otp is null ? masterPasswordHash ?? admin.Credentials.MasterPasswordHash : masterPasswordHash,
            ["otp"] = otp,
        });

    /// <summary>Elevates and puts the proof on <see cref="TestAccount.Client"/>; returns it.</summary>
    public static async Task<string> ProveAdminAsync(this TestAccount admin, string? otp = null)
    {
        using var response = await admin.RequestProofAsync(otp: otp);
        var proof = (await response.ExpectObjectAsync()).RequireString("proof");
        admin.Client.UseAdminProof(proof);
        return proof;
    }

    public static void UseAdminProof(this HttpClient client, string? proof)
    {
        client.DefaultRequestHeaders.Remove(AdminProof.Header);
        if (proof is not null)
        {
            client.DefaultRequestHeaders.Add(AdminProof.Header, proof);
        }
    }

    public static async Task SetAdminAsync(this CofferFactory factory, string userId, bool isAdmin)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var id = Guid.Parse(userId);
        var updated = await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAdmin, isAdmin));
        Assert.Equal(1, updated);
    }

    /// <summary>
    /// The server's database (SQLite file or PostgreSQL database), opened beside the server as an attacker with
    /// database access would. SQL that runs on both quotes identifiers ("Sequence") and names parameters @name.
    /// </summary>
    public static DbConnection OpenDatabase(this CofferFactory factory) => TestDatabase.Open(factory.DataFolder);

    public static async Task<long> ScalarAsync(this DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand(sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<int> ExecuteAsync(this DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand(sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    private static DbCommand CreateCommand(this DbConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public static async Task SetRegistrationModeAsync(this TestAccount admin, string mode)
    {
        using var response = await admin.Client.PutJsonAsync("/admin/api/settings", new JsonObject { ["registrationMode"] = mode });
        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    /// <summary>Creates an invitation and returns its one-time token.</summary>
    public static async Task<string> InviteAsync(this TestAccount admin, string email)
    {
        using var response = await admin.Client.PostJsonAsync("/admin/api/invitations", new JsonObject { ["email"] = email });
        var created = await response.ExpectObjectAsync(HttpStatusCode.Created);
        return created.RequireString("token");
    }

    /// <summary>Asserts an RFC 9457 problem details answer with the given status.</summary>
    public static async Task<JsonObject> ExpectProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await response.ExpectObjectAsync(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, (int?)problem["status"]);
        return problem;
    }
}
