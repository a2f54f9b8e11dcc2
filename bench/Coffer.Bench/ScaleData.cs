using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Coffer.Client.Crypto;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using Coffer.Server.Accounts;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Devices;
using Coffer.Server.Folders;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Bench;

/// <summary>
/// The scale data set, written through the server's own schema (<see cref="BulkRows"/>) rather than through its
/// routes: a population of <see cref="Options.Accounts"/> accounts (account 0 holds <see cref="Options.LargeItems"/>
/// items in <see cref="Options.LargeFolders"/> folders; the others 0 to 2 × <see cref="Options.MeanItems"/> items and a
/// few folders each, one device each) plus the probe accounts the measurements use, which the empty database gets too.
/// Every account can log in through <c>/identity/connect/token</c> with <see cref="MasterPasswordHash"/>: keys are
/// random but well formed as in <see cref="VaultClient"/>, and all share one Argon2id PHC hash of that value
/// (computed once; hashing 10,000 times would take minutes and change nothing the server reads).
/// Items are real type 2 EncStrings under each account's own user key, mixed as vaults are: mostly logins with one
/// to three URIs, some with notes and password history, secure notes of a few hundred to a few thousand characters,
/// cards and identities; one item in a hundred has an attachment (metadata only: a sync never reads the file).
/// Organizations are left out.
/// </summary>
public static class ScaleData
{
    public sealed record Options(int Accounts = 10_000, int LargeItems = 100_000, int LargeFolders = 5_000, int MeanItems = 20, int LoginProbes = 20);

    /// <summary>What the probes need to act as clients: their e-mail and user key (they log in with <see cref="MasterPasswordHash"/>).</summary>
    public sealed record Probes(string SmallEmail, SymmetricKey SmallKey, string WriterEmail, SymmetricKey WriterKey, IReadOnlyList<string> LoginEmails);

    public sealed record Summary(long Users, long Folders, long Ciphers, long Attachments, long CipherBytes, TimeSpan Elapsed);

    /// <summary>The master password hash (Base64 of 32 bytes, as clients send it) of every generated account.</summary>
    public static readonly string MasterPasswordHash = Convert.ToBase64String(SHA256.HashData("coffer scale bench"u8));

    public const string LargeEmail = "scale-00000@bench.test";
    public const int ProbeItems = 100;

    public static string PopulationEmail(int index) => $"scale-{index:D5}@bench.test";

    /// <summary>
    /// Creates the schema (the server's migrations) on <paramref name="db"/>'s database, then writes the probes and,
    /// with <paramref name="population"/>, the population. The database must be new.
    /// </summary>
    public static async Task<(Probes Probes, Summary Summary)> GenerateAsync(CofferDb db, Options options, bool population)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        await db.Database.MigrateAsync();
        if (db.Database.IsSqlite())
        {
            // Only while generating: a crash here loses nothing but the data set. The server sets its own pragmas.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;");
        }

        var passwordHash = PhcPasswordHasher.Hash(Convert.FromBase64String(MasterPasswordHash), PasswordHashing.Current);
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var accounts = new List<Plan>();
        var smallKey = SymmetricKey.Generate();
        var writerKey = SymmetricKey.Generate();
        accounts.Add(new Plan(NewUser("probe-small@bench.test", smallKey, passwordHash, now), smallKey, ProbeItems, 5));
        accounts.Add(new Plan(NewUser("probe-writer@bench.test", writerKey, passwordHash, now), writerKey, 0, 0));
        var loginEmails = Enumerable.Range(0, options.LoginProbes).Select(i => $"probe-login-{i:D2}@bench.test").ToList();
        accounts.AddRange(loginEmails.Select(email =>
        {
            var key = SymmetricKey.Generate();
            return new Plan(NewUser(email, key, passwordHash, now), key, 0, 0);
        }));
        if (population)
        {
            for (var i = 0; i < options.Accounts; i++)
            {
                var key = SymmetricKey.Generate();
                var (items, folderCount) = i == 0
                    ? (options.LargeItems, options.LargeFolders)
                    : (RandomNumberGenerator.GetInt32((2 * options.MeanItems) + 1), RandomNumberGenerator.GetInt32(8));
                accounts.Add(new Plan(NewUser(PopulationEmail(i), key, passwordHash, now), key, items, folderCount));
            }
        }

        var bulk = new BulkRows(db);
        var users = await bulk.WriteAsync(accounts.Select(a => a.User));
        await bulk.WriteAsync(accounts.Select(a => new Device
        {
            Id = Guid.NewGuid(),
            UserId = a.User.Id,
            Identifier = Guid.NewGuid().ToString(),
            Name = "firefox",
            Type = 10,
            CreationDate = a.User.CreationDate,
            RevisionDate = a.User.CreationDate,
        }));
        foreach (var account in accounts)
        {
            account.FolderIds.AddRange(Enumerable.Range(0, account.Folders).Select(_ => Guid.NewGuid()));
        }

        var folders = await bulk.WriteAsync(accounts.SelectMany(a => a.FolderIds.Select((id, i) => new Folder
        {
            Id = id,
            UserId = a.User.Id,
            Name = Encrypt(FolderName(i), a.Key),
            CreationDate = a.User.CreationDate,
            RevisionDate = a.User.CreationDate,
        })));
        var attachments = new List<Attachment>();
        long cipherBytes = 0;
        var ciphers = await bulk.WriteAsync(accounts.SelectMany(a => Enumerable.Range(0, a.Items).Select(i =>
        {
            var folderId = a.FolderIds.Count > 0 && i % 5 != 0 ? a.FolderIds[i % a.FolderIds.Count] : (Guid?)null;
            var cipher = Cipher.Create(Item(a.Key, i), Past(now), a.User.Id, null, folderId);
            cipher.Favorite = i % 50 == 7;
            cipherBytes += cipher.Data.Length;
            if (i % 100 == 42)
            {
                attachments.Add(new Attachment
                {
                    Id = Attachment.NewId(),
                    CipherId = cipher.Id,
                    FileName = Encrypt($"scan-{i}.pdf", a.Key),
                    Key = EncString.Encrypt(RandomNumberGenerator.GetBytes(64), a.Key).ToString(),
                    Size = 10_000 + RandomNumberGenerator.GetInt32(2_000_000),
                    Uploaded = true,
                    CreationDate = cipher.CreationDate,
                });
            }

            return cipher;
        })));
        var attachmentRows = await bulk.WriteAsync(attachments);
        if (db.Database.IsNpgsql())
        {
            // A settled database is what is measured: otherwise autovacuum analyzes and (insert-triggered) vacuums these
            // freshly loaded tables in the middle of the measurement.
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE");
        }

        return (new Probes("probe-small@bench.test", smallKey, "probe-writer@bench.test", writerKey, loginEmails),
            new Summary(users, folders, ciphers, attachmentRows, cipherBytes, clock.Elapsed));
    }

    private sealed record Plan(User User, SymmetricKey Key, int Items, int Folders)
    {
        public List<Guid> FolderIds { get; } = [];
    }

    private static User NewUser(string email, SymmetricKey userKey, string passwordHash, DateTime now)
    {
        using var wrappingKey = SymmetricKey.Generate();
        var created = Past(now);
        return new User
        {
            Id = Guid.NewGuid(),
            Email = email,
            Name = "bench",
            PasswordHash = passwordHash,
            Kdf = KdfType.Pbkdf2Sha256,
            KdfIterations = 600_000,
            Key = EncString.Encrypt(userKey.ToArray(), wrappingKey).ToString(),
            // 294 bytes is the size of an RSA-2048 SPKI; 1,218 of its PKCS#8 private key.
            PublicKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(294)),
            PrivateKey = EncString.Encrypt(RandomNumberGenerator.GetBytes(1218), userKey).ToString(),
            SecurityStamp = Guid.NewGuid().ToString(),
            CreationDate = created,
            RevisionDate = created,
            AccountRevisionDate = now,
        };
    }

    /// <summary>Mostly logins; every 10th a secure note, every 20th a card, every 25th an identity (by index).</summary>
    private static CipherRequestModel Item(SymmetricKey key, int index)
    {
        if (index % 10 == 3)
        {
            return new CipherRequestModel
            {
                Type = CipherType.SecureNote,
                Name = Encrypt($"Note {index}", key),
                Notes = Encrypt(Text(200 + RandomNumberGenerator.GetInt32(3000)), key),
                SecureNote = new CipherSecureNoteModel { Type = 0 },
            };
        }

        if (index % 20 == 5)
        {
            return new CipherRequestModel
            {
                Type = CipherType.Card,
                Name = Encrypt($"Card {index}", key),
                Card = new CipherCardModel
                {
                    CardholderName = Encrypt("Alex Example", key),
                    Brand = Encrypt("Visa", key),
                    Number = Encrypt("4111111111111111", key),
                    ExpMonth = Encrypt("7", key),
                    ExpYear = Encrypt("2031", key),
                    Code = Encrypt("123", key),
                },
            };
        }

        if (index % 25 == 9)
        {
            return new CipherRequestModel
            {
                Type = CipherType.Identity,
                Name = Encrypt($"Identity {index}", key),
                Identity = new CipherIdentityModel
                {
                    FirstName = Encrypt("Alex", key),
                    LastName = Encrypt("Example", key),
                    Email = Encrypt($"alex{index}@example.com", key),
                    Phone = Encrypt("+1 555 0100", key),
                    Address1 = Encrypt($"{index} Main Street", key),
                    City = Encrypt("Springfield", key),
                    PostalCode = Encrypt("12345", key),
                    Country = Encrypt("US", key),
                },
            };
        }

        var login = VaultClient.LoginItem(key, index);
        login.Login!.Uris = [.. Enumerable.Range(0, 1 + (index % 3)).Select(u => new CipherLoginUriModel
        {
            Uri = Encrypt($"https://{(u == 0 ? "" : "account.")}site{index}.example.com/{(u == 2 ? "signin?next=%2Fhome" : "login")}", key),
            Match = u == 2 ? 3 : null,
        })];
        login.Notes = index % 3 == 0 ? Encrypt(Text(20 + RandomNumberGenerator.GetInt32(300)), key) : null;
        if (index % 7 == 0)
        {
            login.PasswordHistory = [.. Enumerable.Range(0, 1 + (index % 4)).Select(_ => new CipherPasswordHistoryModel
            {
                Password = Encrypt(Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)), key),
                LastUsedDate = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc),
            })];
        }

        if (index % 11 == 0)
        {
            login.Fields = [new CipherFieldModel { Type = 1, Name = Encrypt("PIN", key), Value = Encrypt("4821", key) }];
        }

        return login;
    }

    private static string FolderName(int index) => index < 8
        ? new[] { "Work", "Personal", "Finance", "Shopping", "Social", "Travel", "Email", "Dev" }[index]
        : $"Projects/Client {index / 10}/Area {index % 10}";

    private static string Text(int length)
    {
        var text = new StringBuilder(length + 40);
        while (text.Length < length)
        {
            text.Append("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ");
        }

        return text.ToString(0, length);
    }

    // Creation dates spread over the last two years, as a long-used vault's are.
    private static DateTime Past(DateTime now) => now.AddMinutes(-RandomNumberGenerator.GetInt32(2 * 365 * 24 * 60));

    private static string Encrypt(string plaintext, SymmetricKey key) => EncString.EncryptString(plaintext, key).ToString();
}
