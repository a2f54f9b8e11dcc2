using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// Two devices of one account editing the same item: the write made from an out-of-date copy is refused with
/// Bitwarden's stale-item error (protocol §4.10) and nothing is overwritten, even within the same second and
/// even when both writes arrive at once.
/// </summary>
public sealed class RevisionConflictTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task SecondDevice_EditingFromTheSameRevision_IsRefused_AndTheFirstEditStays()
    {
        var (laptop, phone) = await TwoDevicesAsync();
        var created = await laptop.CreateCipherAsync();
        var id = created.RequireString("id");

        var first = Edit(created);
        using (var response = await laptop.Client.PutJsonAsync($"/api/ciphers/{id}", first))
        {
            await response.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using (var response = await phone.PutJsonAsync($"/api/ciphers/{id}", Edit(created)))
        {
            var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            Assert.Contains("out of date", error.RequireString("message"), StringComparison.Ordinal);
        }

        Assert.Equal(first.RequireString("name"), (await laptop.SyncedCipherAsync(id)).RequireString("name"));
    }

    [Fact]
    public async Task SecondDevice_SendingWholeSeconds_IsRefusedToo()
    {
        var (laptop, phone) = await TwoDevicesAsync();
        var created = await laptop.CreateCipherAsync();
        var id = created.RequireString("id");
        using (var response = await laptop.Client.PutJsonAsync($"/api/ciphers/{id}", Edit(created)))
        {
            await response.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var stale = Edit(created);
        stale["lastKnownRevisionDate"] = CipherAssert.TruncateToSeconds(created.RequireString("revisionDate"));
        using var refused = await phone.PutJsonAsync($"/api/ciphers/{id}", stale);

        await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RefusedDevice_AfterResync_SavesItsEdit()
    {
        var (laptop, phone) = await TwoDevicesAsync();
        var created = await laptop.CreateCipherAsync();
        var id = created.RequireString("id");
        using (var response = await laptop.Client.PutJsonAsync($"/api/ciphers/{id}", Edit(created)))
        {
            await response.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using var current = await phone.GetAsync($"/api/ciphers/{id}");
        var retry = Edit(await current.ExpectObjectAsync());
        using var saved = await phone.PutJsonAsync($"/api/ciphers/{id}", retry);

        Assert.Equal(retry.RequireString("name"), (await saved.ExpectObjectAsync()).RequireString("name"));
    }

    [Theory]
    [InlineData("/api/ciphers/move", "PUT")]
    [InlineData("/api/ciphers/{id}/delete", "PUT")]
    [InlineData("/api/ciphers/delete", "PUT")]
    public async Task EditFromBeforeAMoveOrTrash_IsRefused(string route, string method)
    {
        var (laptop, phone) = await TwoDevicesAsync();
        var created = await laptop.CreateCipherAsync();
        var id = created.RequireString("id");
        var body = new JsonObject { ["ids"] = new JsonArray(id), ["folderId"] = (await laptop.CreateFolderAsync()).RequireString("id") };
        using (var response = await laptop.Client.SendJsonAsync(new HttpMethod(method), route.Replace("{id}", id, StringComparison.Ordinal), body))
        {
            await response.ExpectSuccessAsync();
        }

        using var refused = await phone.PutJsonAsync($"/api/ciphers/{id}", Edit(created));

        await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task SimultaneousEdits_FromTheSameRevision_ExactlyOneWins_AndItIsWhatIsStored()
    {
        var (laptop, phone) = await TwoDevicesAsync();
        var created = await laptop.CreateCipherAsync();
        var id = created.RequireString("id");
        var edits = Enumerable.Range(0, 6).Select(_ => Edit(created)).ToList();

        var responses = await Task.WhenAll(edits.Select((edit, i) => (i % 2 == 0 ? laptop.Client : phone).PutJsonAsync($"/api/ciphers/{id}", edit)));

        var won = responses.Select((r, i) => (r.StatusCode, Name: edits[i].RequireString("name"))).Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        Assert.Single(won);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Equal(won[0].Name, (await laptop.SyncedCipherAsync(id)).RequireString("name"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private static JsonObject Edit(JsonObject known)
    {
        var update = Payloads.LoginCipher();
        update["lastKnownRevisionDate"] = known["revisionDate"]?.DeepClone();
        return update;
    }

    /// <summary>One account signed in on two devices: the account's own client, and a second device's client.</summary>
    private async Task<(TestAccount Laptop, HttpClient Phone)> TwoDevicesAsync()
    {
        var account = await TestAccount.CreateAsync(factory);
        var token = await IdentityApi.LoginAsync(factory.CreateClient(), account.Credentials, Fake.DeviceIdentifier());
        var phone = factory.CreateClient();
        phone.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.RequireString("access_token"));
        return (account, phone);
    }
}
