using Coffer.Protocol.Api;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// A vault with more items than either database takes parameters in one command (32,766 on SQLite, 65,535 on
/// PostgreSQL): list and sync look up the attachments of every listed item by id, which must not become one SQL
/// parameter per item (bench/results/scale.md found a 100,000-item sync answering 500).
/// </summary>
public sealed class LargeVaultTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private const int Items = 70_000;

    [Fact]
    public async Task SyncAndList_OfVaultLargerThanTheParameterLimits_ReturnEveryItemAndItsAttachment()
    {
        var account = await TestAccount.CreateAsync(factory);
        var withAttachment = await SeedAsync(Guid.Parse(account.UserId));

        var sync = await account.SyncAsync();
        var listed = await account.Client.GetAsync(new Uri("/api/ciphers", UriKind.Relative));

        var ciphers = sync.RequireArray("ciphers");
        Assert.Equal(Items, ciphers.Count);
        Assert.Single(ciphers.ById(withAttachment.ToString())!.RequireArray("attachments"));
        var list = (await listed.ExpectObjectAsync()).RequireArray("data");
        Assert.Equal(Items, list.Count);
        Assert.Single(list.ById(withAttachment.ToString())!.RequireArray("attachments"));
    }

    [Fact]
    public async Task Sync_OfAVaultLargerThanTheCacheLimit_IsStreamed_AndReadsAsTheBufferedBodyOnceSmaller()
    {
        // Nine items of about 1 MiB of notes each: their JSON alone is over the 8 MiB a cached body may hold.
        var account = await TestAccount.CreateAsync(factory);
        var ids = await SeedLargeItemsAsync(Guid.Parse(account.UserId), count: 9, notesBytes: 1024 * 1024);

        // Headers first (not buffered by the client), so the length is only what the server declared.
        var streamed = await account.Client.GetAsync(new Uri("/api/sync?excludeDomains=true", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Null(streamed.Content.Headers.ContentLength);
        var whole = await streamed.ExpectObjectAsync();
        Assert.Equal(ids.Order(), whole.RequireArray("ciphers").Select(c => Guid.Parse((string)c!["id"]!)).Order());

        // Two items deleted: the rest fits the cache, so the same items now come from the buffered renderer.
        foreach (var id in ids[..2])
        {
            (await account.Client.DeleteAsync(new Uri($"/api/ciphers/{id}", UriKind.Relative))).EnsureSuccessStatusCode();
        }

        var buffered = await account.Client.GetAsync(new Uri("/api/sync?excludeDomains=true", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.NotNull(buffered.Content.Headers.ContentLength);
        var smaller = await buffered.ExpectObjectAsync();
        foreach (var id in ids[2..])
        {
            Assert.Equal(whole.RequireArray("ciphers").ById(id.ToString())!.ToJsonString(), smaller.RequireArray("ciphers").ById(id.ToString())!.ToJsonString());
        }

        Assert.Equal(7, smaller.RequireArray("ciphers").Count);
        Assert.Equal(whole["userDecryption"]!.ToJsonString(), smaller["userDecryption"]!.ToJsonString());
        Assert.Equal((string?)whole["profile"]!["id"], (string?)smaller["profile"]!["id"]);
    }

    /// <summary>Items with large notes, written straight into the database; returns their ids.</summary>
    private async Task<Guid[]> SeedLargeItemsAsync(Guid userId, int count, int notesBytes)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        var ciphers = Enumerable.Range(0, count).Select(_ => new Cipher
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            Type = CipherType.SecureNote,
            Data = CipherValidation.Serialize(new CipherDataModel
            {
                Name = Fake.EncString(),
                Notes = $"2.{Convert.ToBase64String(new byte[16])}|{Convert.ToBase64String(new byte[notesBytes * 3 / 4])}|{Convert.ToBase64String(new byte[32])}",
                SecureNote = new CipherSecureNoteModel { Type = 0 },
            }),
            CreationDate = now,
            RevisionDate = now,
        }).ToList();
        db.Ciphers.AddRange(ciphers);
        await db.SaveChangesAsync();
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.AccountRevisionDate, now.AddSeconds(1)));
        return [.. ciphers.Select(c => c.Id)];
    }

    /// <summary>Writes the items straight into the database (70,000 creates through the API would take minutes); returns the item holding the attachment.</summary>
    private async Task<Guid> SeedAsync(Guid userId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        var data = CipherValidation.Serialize(new CipherDataModel { Name = Fake.EncString(), Login = new CipherLoginModel { Username = Fake.EncString() } });
        var ciphers = Enumerable.Range(0, Items).Select(_ => new Cipher
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            Type = CipherType.Login,
            Data = data,
            CreationDate = now,
            RevisionDate = now,
        }).ToList();
        db.Ciphers.AddRange(ciphers);
        db.Attachments.Add(new Attachment
        {
            Id = Attachment.NewId(),
            CipherId = ciphers[^1].Id,
            FileName = Fake.EncString(),
            Key = Fake.EncString(),
            Size = 1234,
            Uploaded = true,
            CreationDate = now,
        });
        await db.SaveChangesAsync();
        // The vault changed behind the server's back: the revision bump makes any cached sync body stale.
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.AccountRevisionDate, now.AddSeconds(1)));
        return ciphers[^1].Id;
    }
}
