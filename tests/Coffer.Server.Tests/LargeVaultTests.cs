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
