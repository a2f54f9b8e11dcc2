using System.Data.Common;
using Coffer.Protocol.Api;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Coffer.Server.Tests.Organizations;

/// <summary>
/// Issue 11: a sync costs the same number of SQL commands whatever the number of organizations, collections and items
/// (doc <c>bitwarden-organizations.md</c> §12). Commands are counted by an EF interceptor added to the server's own
/// DbContext options, for the <c>/api/sync</c> request only.
/// </summary>
public sealed class SyncQueryCountTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sync_OfAMemberOfFiveOrganizationsWith3000Items_RunsAsManyCommandsAsOfOneWith10()
    {
        var small = await CountSyncCommandsAsync(organizations: 1, items: 10);
        var large = await CountSyncCommandsAsync(organizations: 5, items: 3000);

        output.WriteLine($"commands per sync: {small.Uncached} rendered, {small.Cached} from the cache");
        Assert.Equal(small.Uncached, large.Uncached);
        Assert.InRange(small.Uncached, 5, 15);
        // A repeated sync of an unchanged vault reads only the token's session and the account (the cache key).
        Assert.Equal(small.Cached, large.Cached);
        Assert.InRange(small.Cached, 1, 2);
        Assert.Equal(10, small.Ciphers);
        Assert.Equal(3000, large.Ciphers);
    }

    private static async Task<(int Uncached, int Cached, int Ciphers)> CountSyncCommandsAsync(int organizations, int items)
    {
        var counter = new CommandCounter();
        await using var factory = new CofferFactory
        {
            ExtraServices = services =>
            {
                if (TestDatabase.IsPostgres)
                {
                    services.ConfigureDbContext<PostgresCofferDb>(o => o.AddInterceptors(counter));
                }
                else if (TestDatabase.IsMySql)
                {
                    services.ConfigureDbContext<MySqlCofferDb>(o => o.AddInterceptors(counter));
                }
                else
                {
                    services.ConfigureDbContext<SqliteCofferDb>(o => o.AddInterceptors(counter));
                }
            },
        };
        counter.Http = factory.Services.GetRequiredService<IHttpContextAccessor>();
        var owner = await TestAccount.CreateAsync(factory);
        var member = await TestAccount.CreateAsync(factory);
        var collections = new List<(Guid Organization, Guid Collection)>();
        for (var i = 0; i < organizations; i++)
        {
            var organization = await OrgHarness.CreateAsync(owner);
            var invitation = await organization.InviteAsync(member.Email, collections: [OrgHarness.Access(organization.FirstCollectionId!.Value, readOnly: i % 2 == 1)]);
            await organization.ConfirmAsync(Guid.Parse(invitation.RequireString("id")), member);
            collections.Add((organization.Id, organization.FirstCollectionId!.Value));
            collections.Add((organization.Id, await organization.CreateCollectionAsync(OrgHarness.Access(Guid.Parse(invitation.RequireString("id"))))));
        }

        // The items are inserted directly: the point is reading them, and 3,000 creates through the API would only slow the test.
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
            var data = CipherValidation.Serialize(new CipherDataModel { Name = Fake.EncString(), Login = new CipherLoginModel { Password = Fake.EncString() } });
            for (var i = 0; i < items; i++)
            {
                var (organizationId, collectionId) = collections[i % collections.Count];
                var cipher = new Cipher { Id = Guid.NewGuid(), OrganizationId = organizationId, Type = CipherType.Login, Data = data, CreationDate = DateTime.UnixEpoch, RevisionDate = DateTime.UnixEpoch };
                db.Ciphers.Add(cipher);
                db.CollectionCiphers.Add(new CollectionCipher { CollectionId = collectionId, CipherId = cipher.Id });
                if (i % 7 == 0)
                {
                    db.CipherPreferences.Add(new CipherPreference { UserId = Guid.Parse(member.UserId), CipherId = cipher.Id, Favorite = true });
                }
            }

            await db.SaveChangesAsync();
        }

        counter.Count = 0;
        var sync = await member.SyncAsync();
        var uncached = counter.Count;
        counter.Count = 0;
        await member.SyncAsync();
        Assert.Equal(organizations, sync["profile"].RequireArray("organizations").Count);
        Assert.Equal(organizations * 2, sync.RequireArray("collections").Count);
        return (uncached, counter.Count, sync.RequireArray("ciphers").Count);
    }

    /// <summary>Counts the commands run on behalf of <c>GET /api/sync</c>.</summary>
    private sealed class CommandCounter : DbCommandInterceptor
    {
        private int count;

        public IHttpContextAccessor? Http { get; set; }

        public int Count { get => Volatile.Read(ref count); set => Volatile.Write(ref count, value); }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Hit();
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result,
            CancellationToken cancellationToken = default)
        {
            Hit();
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result,
            CancellationToken cancellationToken = default)
        {
            Hit();
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            Hit();
            return ValueTask.FromResult(result);
        }

        private void Hit()
        {
            if (Http?.HttpContext?.Request.Path == "/api/sync")
            {
                Interlocked.Increment(ref count);
            }
        }
    }
}
