using System.Net;
using System.Runtime.CompilerServices;
using Coffer.Server.Background;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Files;
using Coffer.Server.Identity;
using Coffer.Server.Sends;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.TwoFactor;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Background;

/// <summary>
/// The background work (Background/): each job on a server of its own (so the counts are the test's alone), runs
/// started by hand after moving the server's clock past the interval, once per run across two nodes, and a failing
/// run that leaves the server serving.
/// </summary>
public sealed class BackgroundTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(60);

    [Fact]
    public async Task ExpiredSend_IsDeletedWithItsFile_AndItsOwnersRevisionMoves()
    {
        await using var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        var expired = await AddFileSendAsync(factory, account, deletion: now.AddMinutes(30), uploaded: true);
        var kept = await AddFileSendAsync(factory, account, deletion: now.AddDays(3), uploaded: true);
        var revision = await AccountRevisionAsync(factory, account);

        var report = await RunAsync(factory, Interval);

        Assert.Equal(1, report.ExpiredSends);
        Assert.False(await SendExistsAsync(factory, expired.Id));
        Assert.Null(await ReadAsync(factory, expired.BlobKey));
        Assert.True(await SendExistsAsync(factory, kept.Id));
        Assert.NotNull(await ReadAsync(factory, kept.BlobKey));
        Assert.True(await AccountRevisionAsync(factory, account) > revision);
    }

    [Fact]
    public async Task TrashedItem_OlderThanTrashDays_IsPurgedWithItsAttachments_AndANewerOneStays()
    {
        await using var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        var (oldId, attachmentId, _) = await account.AddAttachmentAsync();
        var newerId = (await account.CreateCipherAsync()).RequireString("id");
        await TrashAsync(account, oldId);

        var early = await RunAsync(factory, TimeSpan.FromDays(29));
        account = await TestAccount.LoginAsync(factory, account.Credentials);
        await TrashAsync(account, newerId);
        var late = await RunAsync(factory, TimeSpan.FromDays(2));

        Assert.Equal(0, early.TrashedItems);
        Assert.Equal(1, late.TrashedItems);
        Assert.False(await CipherExistsAsync(factory, oldId));
        Assert.Null(await factory.StoredAttachmentAsync(oldId, attachmentId));
        Assert.True(await CipherExistsAsync(factory, newerId));
        account = await TestAccount.LoginAsync(factory, account.Credentials);
        using var gone = await account.Client.GetAsync(new Uri($"/api/ciphers/{oldId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task TrashDaysZero_KeepsTheTrashForever()
    {
        await using var factory = new CofferFactory();
        factory.Settings["Coffer:Background:TrashDays"] = "0";
        var account = await TestAccount.CreateAsync(factory);
        var id = (await account.CreateCipherAsync()).RequireString("id");
        await TrashAsync(account, id);

        var report = await RunAsync(factory, TimeSpan.FromDays(3000));

        Assert.Equal(0, report.TrashedItems);
        Assert.True(await CipherExistsAsync(factory, id));
    }

    [Fact]
    public async Task UploadsThatNeverCame_AreRemovedAfterUnfinishedUploadHours_AndTheQuotaFreed()
    {
        await using var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        var (cipherId, uploadedId, bytes) = await account.AddAttachmentAsync();
        var pendingId = (await account.ReserveAsync(cipherId, 5000)).RequireString("attachmentId");
        var send = await AddFileSendAsync(factory, account, deletion: factory.Clock.GetUtcNow().UtcDateTime.AddDays(7), uploaded: false);
        var usedBefore = await factory.UsedStorageAsync(account.UserId);

        var early = await RunAsync(factory, TimeSpan.FromHours(23));
        var late = await RunAsync(factory, TimeSpan.FromHours(2));

        Assert.Equal((0, 0), (early.UnfinishedAttachments, early.UnfinishedSends));
        Assert.Equal((1, 1), (late.UnfinishedAttachments, late.UnfinishedSends));
        Assert.False(await AttachmentExistsAsync(factory, pendingId));
        Assert.True(await AttachmentExistsAsync(factory, uploadedId));
        Assert.Equal(bytes, await factory.StoredAttachmentAsync(cipherId, uploadedId));
        Assert.False(await SendExistsAsync(factory, send.Id));
        Assert.Equal(usedBefore - 5000 - send.Size, await factory.UsedStorageAsync(account.UserId));
    }

    [Fact]
    public async Task ExpiredRefreshAndRememberTokens_ArePruned_LiveAndConsumedUnexpiredOnesKept()
    {
        await using var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        var userId = Guid.Parse(account.UserId);
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        Guid expired, expiredConsumed, consumed, expiredRemember, liveRemember;
        int tokensBefore;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
            var device = await db.Devices.Where(d => d.UserId == userId).Select(d => d.Id).FirstAsync();
            var stamp = await db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).FirstAsync();
            RefreshToken Refresh(DateTime expires, DateTime? consumedAt) => new()
            {
                Id = Guid.NewGuid(),
                UserId = userId,
                DeviceId = device,
                TokenHash = Convert.ToHexString(Guid.NewGuid().ToByteArray()),
                SecurityStamp = stamp,
                ClientId = "cli",
                CreationDate = now.AddDays(-40),
                ExpirationDate = expires,
                ConsumedDate = consumedAt,
            };
            TwoFactorRememberToken Remember(DateTime expires) => new()
            {
                Id = Guid.NewGuid(),
                UserId = userId,
                DeviceId = device,
                TokenHash = Convert.ToHexString(Guid.NewGuid().ToByteArray()),
                SecurityStamp = stamp,
                CreationDate = now.AddDays(-40),
                ExpirationDate = expires,
            };
            var tokens = new[] { Refresh(now.AddMinutes(30), null), Refresh(now.AddMinutes(30), now.AddDays(-20)), Refresh(now.AddDays(10), now.AddDays(-1)) };
            var remembers = new[] { Remember(now.AddMinutes(30)), Remember(now.AddDays(10)) };
            (expired, expiredConsumed, consumed) = (tokens[0].Id, tokens[1].Id, tokens[2].Id);
            (expiredRemember, liveRemember) = (remembers[0].Id, remembers[1].Id);
            db.RefreshTokens.AddRange(tokens);
            db.TwoFactorRememberTokens.AddRange(remembers);
            await db.SaveChangesAsync();
            tokensBefore = await db.RefreshTokens.CountAsync();
        }

        var report = await RunAsync(factory, Interval);

        Assert.Equal((2, 1), (report.RefreshTokens, report.RememberTokens));
        await using var check = factory.Services.CreateAsyncScope();
        var after = check.ServiceProvider.GetRequiredService<CofferDb>();
        Assert.Equal(tokensBefore - 2, await after.RefreshTokens.CountAsync());
        Assert.False(await after.RefreshTokens.AnyAsync(t => t.Id == expired || t.Id == expiredConsumed));
        Assert.True(await after.RefreshTokens.AnyAsync(t => t.Id == consumed));
        Assert.False(await after.TwoFactorRememberTokens.AnyAsync(t => t.Id == expiredRemember));
        Assert.True(await after.TwoFactorRememberTokens.AnyAsync(t => t.Id == liveRemember));
    }

    [Fact]
    public async Task ExpiredWebAuthnChallengesAndEmailCodes_ArePruned_LiveOnesKept()
    {
        await using var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        var userId = Guid.Parse(account.UserId);
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        WebAuthnChallenge Challenge(DateTime expires) => new()
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            Ceremony = WebAuthnCeremony.LogInWithPasskey,
            Options = "{}",
            ExpirationDate = expires,
        };
        EmailCode Code(EmailCodePurpose purpose, DateTime expires) => new()
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            Purpose = purpose,
            CodeHash = "00",
            ExpirationDate = expires,
        };
        var challenges = new[] { Challenge(now.AddMinutes(5)), Challenge(now.AddHours(3)) };
        var codes = new[] { Code(EmailCodePurpose.LogIn, now.AddMinutes(10)), Code(EmailCodePurpose.Setup, now.AddHours(3)) };
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
            db.WebAuthnChallenges.AddRange(challenges);
            db.EmailCodes.AddRange(codes);
            await db.SaveChangesAsync();
        }

        var report = await RunAsync(factory, Interval);

        Assert.Equal((1, 1), (report.WebAuthnChallenges, report.EmailCodes));
        await using var check = factory.Services.CreateAsyncScope();
        var after = check.ServiceProvider.GetRequiredService<CofferDb>();
        Assert.Equal([challenges[1].Id], await after.WebAuthnChallenges.Where(c => c.UserId == userId).Select(c => c.Id).ToListAsync());
        Assert.Equal([codes[1].Id], await after.EmailCodes.Where(c => c.UserId == userId).Select(c => c.Id).ToListAsync());
    }

    [Fact]
    public async Task OrphanedFilesAndAbandonedUploads_AreSweptOnceOlderThanTheGracePeriod_LiveFilesKept()
    {
        await using var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        var (cipherId, attachmentId, bytes) = await account.AddAttachmentAsync();
        var liveSend = await AddFileSendAsync(factory, account, deletion: factory.Clock.GetUtcNow().UtcDateTime.AddDays(7), uploaded: true);
        var store = factory.Services.GetRequiredService<IBlobStore>();
        // What crashes leave: files whose rows are gone, an upload cut short.
        string[] orphans = [BlobKeys.Attachment(Guid.NewGuid(), Attachment.NewId()), BlobKeys.SendFile(Guid.NewGuid(), Attachment.NewId())];
        foreach (var key in orphans)
        {
            await store.CommitAsync(await store.StageAsync(key, new MemoryStream(bytes), bytes.Length, default), default);
        }

        var staged = await store.StageAsync(BlobKeys.Attachment(Guid.NewGuid(), Attachment.NewId()), new MemoryStream(bytes), bytes.Length, default);

        var early = await RunAsync(factory, Interval);
        var late = await RunAsync(factory, TimeSpan.FromHours(25));

        Assert.Equal((0, 0), (early.OrphanBlobs, early.StagedBlobs));
        Assert.Equal((2, 1), (late.OrphanBlobs, late.StagedBlobs));
        foreach (var key in orphans)
        {
            Assert.Null(await ReadAsync(factory, key));
        }

        await Assert.ThrowsAnyAsync<IOException>(() => store.CommitAsync(staged, default));
        Assert.Equal(bytes, await factory.StoredAttachmentAsync(cipherId, attachmentId));
        Assert.NotNull(await ReadAsync(factory, liveSend.BlobKey));
    }

    [Fact]
    public async Task TwoNodes_DoEachRunOnce()
    {
        await using var nodes = new Nodes(2);
        await nodes.StartTogetherAsync();
        var runs = nodes.All.Select(n => n.Services.GetRequiredService<BackgroundRuns>()).ToList();
        await Task.WhenAll(runs.Select(r => r.FirstRun));
        var account = await TestAccount.CreateAsync(nodes[0]);
        var send = await AddFileSendAsync(nodes[0], account, deletion: nodes[0].Clock.GetUtcNow().UtcDateTime.AddMinutes(10), uploaded: true);

        var reports = new List<BackgroundReport?[]>();
        for (var run = 0; run < 3; run++)
        {
            foreach (var node in nodes.All)
            {
                node.Clock.Advance(Interval);
            }

            reports.Add(await Task.WhenAll(runs.Select(r => Task.Run(() => r.RunAsync(RunKind.Scheduled, default)))));
        }

        Assert.All(reports, pair => Assert.Single(pair, r => r is not null));
        Assert.Equal(1, reports.SelectMany(pair => pair).Sum(r => r?.ExpiredSends ?? 0));
        Assert.False(await SendExistsAsync(nodes[1], send.Id));
        Assert.Null(await ReadAsync(nodes[1], send.BlobKey));
    }

    [Fact]
    public async Task FailedRun_IsCountedAndRetried_AndTheServerKeepsServing()
    {
        await using var factory = new CofferFactory();
        var failing = new FailingListing();
        factory.ExtraServices = services =>
        {
            var original = services.Last(d => d.ServiceType == typeof(IBlobStore));
            services.AddSingleton<IBlobStore>(provider => failing.Wrap((IBlobStore)original.ImplementationFactory!(provider)));
        };
        var runs = factory.Services.GetRequiredService<BackgroundRuns>();
        await runs.FirstRun;

        using (var alive = await factory.Anonymous().GetAsync(new Uri("/alive", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }

        await Assert.ThrowsAsync<IOException>(() => runs.RunAsync(RunKind.Retry, default));
        failing.Failing = false;
        Assert.NotNull(await runs.RunAsync(RunKind.Retry, default));

        var metrics = await (await factory.ClientFrom(IPAddress.Loopback).GetAsync(new Uri("/metrics", UriKind.Relative))).Content.ReadAsStringAsync();
        Assert.Contains("coffer_background_runs_total{outcome=\"failed\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("coffer_background_runs_total{outcome=\"completed\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("coffer_background_removed_total{job=\"trash\"}", metrics, StringComparison.Ordinal);
    }

    private static async Task<BackgroundReport> RunAsync(CofferFactory factory, TimeSpan advance)
    {
        var runs = factory.Services.GetRequiredService<BackgroundRuns>();
        await runs.FirstRun;
        factory.Clock.Advance(advance);
        var report = await runs.RunAsync(RunKind.Scheduled, default);
        Assert.NotNull(report);
        return report;
    }

    private static async Task TrashAsync(TestAccount account, string cipherId)
    {
        using var response = await account.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{cipherId}/delete");
        await response.ExpectSuccessAsync();
    }

    private sealed record StoredSend(Guid Id, string BlobKey, long Size);

    /// <summary>A file Send stored as the Send routes store one (rows and file), for the jobs to find.</summary>
    private static async Task<StoredSend> AddFileSendAsync(CofferFactory factory, TestAccount account, DateTime deletion, bool uploaded)
    {
        var bytes = FileApi.EncryptedFile(300);
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        var send = new Send
        {
            Id = Guid.NewGuid(),
            UserId = Guid.Parse(account.UserId),
            Type = 1,
            AuthType = 2,
            Name = Fake.EncString(),
            Key = Fake.EncString(),
            Data = $$"""{"fileName":"{{Fake.EncString()}}"}""",
            FileId = Attachment.NewId(),
            FileSize = bytes.Length,
            FileUploaded = uploaded,
            CreationDate = now,
            RevisionDate = now,
            DeletionDate = deletion,
        };
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
            db.Sends.Add(send);
            await db.SaveChangesAsync();
        }

        var key = BlobKeys.SendFile(send.Id, send.FileId);
        if (uploaded)
        {
            var store = factory.Services.GetRequiredService<IBlobStore>();
            await store.CommitAsync(await store.StageAsync(key, new MemoryStream(bytes), bytes.Length, default), default);
        }

        return new StoredSend(send.Id, key, bytes.Length);
    }

    private static async Task<byte[]?> ReadAsync(CofferFactory factory, string key)
    {
        await using var content = await factory.Services.GetRequiredService<IBlobStore>().OpenReadAsync(key, default);
        if (content is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await content.Stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static Task<bool> SendExistsAsync(CofferFactory factory, Guid id) => QueryAsync(factory, db => db.Sends.AnyAsync(s => s.Id == id));

    private static Task<bool> CipherExistsAsync(CofferFactory factory, string id) => QueryAsync(factory, db => db.Ciphers.AnyAsync(c => c.Id == Guid.Parse(id)));

    private static Task<bool> AttachmentExistsAsync(CofferFactory factory, string id) => QueryAsync(factory, db => db.Attachments.AnyAsync(a => a.Id == id));

    private static Task<DateTime> AccountRevisionAsync(CofferFactory factory, TestAccount account) =>
        QueryAsync(factory, db => db.Users.Where(u => u.Id == Guid.Parse(account.UserId)).Select(u => u.AccountRevisionDate).FirstAsync());

    private static async Task<T> QueryAsync<T>(CofferFactory factory, Func<CofferDb, Task<T>> query)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CofferDb>());
    }

    /// <summary>A store whose listing fails while <see cref="Failing"/> is set, as a disk or database error would.</summary>
    private sealed class FailingListing
    {
        public volatile bool Failing = true;

        public IBlobStore Wrap(IBlobStore inner) => new Store(inner, this);

        private sealed class Store(IBlobStore inner, FailingListing owner) : IBlobStore
        {
            public Task<StagedBlob> StageAsync(string key, Stream source, long maxBytes, CancellationToken ct) => inner.StageAsync(key, source, maxBytes, ct);
            public Task CommitAsync(StagedBlob staged, CancellationToken ct) => inner.CommitAsync(staged, ct);
            public Task DiscardAsync(StagedBlob staged) => inner.DiscardAsync(staged);
            public Task<BlobContent?> OpenReadAsync(string key, CancellationToken ct) => inner.OpenReadAsync(key, ct);
            public Task DeleteAsync(string key, CancellationToken ct) => inner.DeleteAsync(key, ct);
            public Task DeletePrefixAsync(string prefix, CancellationToken ct) => inner.DeletePrefixAsync(prefix, ct);
            public Task<int> DeleteAbandonedAsync(DateTime before, CancellationToken ct) => inner.DeleteAbandonedAsync(before, ct);

            public async IAsyncEnumerable<BlobInfo> ListAsync([EnumeratorCancellation] CancellationToken ct)
            {
                if (owner.Failing)
                {
                    throw new IOException("The disk is unreadable.");
                }

                await foreach (var blob in inner.ListAsync(ct))
                {
                    yield return blob;
                }
            }
        }
    }
}
