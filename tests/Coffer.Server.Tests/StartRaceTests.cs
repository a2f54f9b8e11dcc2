using System.Net;
using System.Security.Cryptography.X509Certificates;
using Coffer.Server.Hosting;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// Servers that start together on one data folder agree on its first-run secrets: each candidate is written under a
/// unique temporary name and linked into place without overwriting, and the losers read the winner's file.
/// </summary>
public sealed class StartRaceTests
{
    private const int Creators = 24;

    [Fact]
    public async Task ReadOrCreateSecret_ManyConcurrentCreators_AllEndWithTheSameKey()
    {
        for (var round = 0; round < 20; round++)
        {
            var folder = CofferFactory.CreateTempFolder();
            try
            {
                var keys = await AllAtOnceAsync(() => Convert.ToBase64String(DataFolder.ReadOrCreateSecret(folder, "jwt-signing.key", 64)));

                Assert.Single(keys.Distinct());
                Assert.Equal(keys[0], File.ReadAllText(Path.Combine(folder, "jwt-signing.key")));
                Assert.Equal(["jwt-signing.key"], Directory.GetFiles(folder).Select(Path.GetFileName).Where(name => !name!.EndsWith(".lock", StringComparison.Ordinal)));
            }
            finally
            {
                CofferFactory.DeleteFolder(folder);
            }
        }
    }

    [Fact]
    public async Task TlsCertificate_ManyConcurrentCreators_AllServeTheSameKeyAndACertificateForIt()
    {
        for (var round = 0; round < 5; round++)
        {
            var folder = CofferFactory.CreateTempFolder();
            try
            {
                var certificates = await AllAtOnceAsync(() => TlsCertificate.LoadOrCreate(folder, TimeProvider.System));

                var publicKeys = certificates.Select(c => Convert.ToBase64String(c.PublicKey.EncodedKeyValue.RawData)).Distinct();
                Assert.Single(publicKeys);
                Assert.All(certificates, c => Assert.True(c.HasPrivateKey));
                using var onDisk = X509Certificate2.CreateFromPemFile(TlsCertificate.CertificatePath(folder), Path.Combine(folder, "tls", "key.pem"));
                Assert.Equal(certificates[0].PublicKey.EncodedKeyValue.RawData, onDisk.PublicKey.EncodedKeyValue.RawData);
                Assert.Equal(["cert.pem", "key.pem"], Directory.GetFiles(Path.Combine(folder, "tls")).Select(Path.GetFileName).Where(name => !name!.EndsWith(".lock", StringComparison.Ordinal)).Order());
                foreach (var certificate in certificates)
                {
                    certificate.Dispose();
                }
            }
            finally
            {
                CofferFactory.DeleteFolder(folder);
            }
        }
    }

    [Fact]
    public async Task ThreeServers_StartingTogetherOnOneEmptyDataFolder_ShareOneSigningKey()
    {
        await using var nodes = new Nodes(3);

        var started = await nodes.StartTogetherAsync();

        Assert.All(started, status => Assert.Equal(HttpStatusCode.OK, status));
        var account = await TestAccount.CreateAsync(nodes[0]);
        foreach (var node in nodes.All)
        {
            using var client = node.CreateClient();
            client.DefaultRequestHeaders.Authorization = account.Client.DefaultRequestHeaders.Authorization;
            using var revision = await client.GetAsync("/api/accounts/revision-date");
            Assert.Equal(HttpStatusCode.OK, revision.StatusCode);
        }
    }

    // Runs create on Creators threads released together, so they all find the folder empty.
    private static async Task<T[]> AllAtOnceAsync<T>(Func<T> create)
    {
        using var start = new Barrier(Creators);
        var threads = Enumerable.Range(0, Creators).Select(_ => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                return create();
            },
            TaskCreationOptions.LongRunning));
        return await Task.WhenAll(threads);
    }
}
