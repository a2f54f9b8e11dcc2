using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Audit;

/// <summary>
/// The hash chain over <see cref="AuditEvent"/>s: <c>hash_n = HMAC-SHA256(k, hash_(n-1) || canonical(event_n))</c>
/// with <c>k</c> derived (HKDF) from the server's signing key, which is kept in the data folder or configuration,
/// not in the database. A database-only attacker can change rows but cannot recompute the chain.
/// </summary>
public sealed class AuditChain(TokenService tokens)
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private readonly byte[] key = HKDF.DeriveKey(HashAlgorithmName.SHA256, tokens.SigningKey, 32, info: "coffer audit chain"u8.ToArray());

    public string Compute(AuditEvent e, string previousHash)
    {
        ArgumentNullException.ThrowIfNull(e);
        var canonical = string.Join('\n',
            e.Sequence.ToString(CultureInfo.InvariantCulture),
            e.Date.Ticks.ToString(CultureInfo.InvariantCulture),
            ((int)e.Type).ToString(CultureInfo.InvariantCulture),
            e.UserId?.ToString() ?? "",
            e.ActingUserId?.ToString() ?? "",
            e.DeviceId?.ToString() ?? "",
            e.DeviceType?.ToString(CultureInfo.InvariantCulture) ?? "",
            e.CipherId?.ToString() ?? "",
            e.IpAddress ?? "",
            e.Detail ?? "");
        if (e.OrganizationId is not null || e.CollectionId is not null || e.MembershipId is not null || e.GroupId is not null || e.PolicyId is not null)
        {
            // Organization fields came later: events without them keep the canonical form (and hash) they were written with.
            canonical = string.Join('\n', canonical, e.OrganizationId?.ToString() ?? "", e.CollectionId?.ToString() ?? "",
                e.MembershipId?.ToString() ?? "", e.GroupId?.ToString() ?? "", e.PolicyId?.ToString() ?? "");
        }

        var input = Encoding.UTF8.GetBytes(previousHash + "\n" + canonical);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, input));
    }

    /// <summary>Result of <see cref="VerifyAsync"/>: the count checked and the first broken sequence number, if any.</summary>
    public sealed record Verification(long Checked, long? FirstBrokenSequence, string? Reason)
    {
        public bool Intact => FirstBrokenSequence is null;
    }

    /// <summary>
    /// Walks the whole chain in order and names the first event whose sequence, link or hash does not check out.
    /// Reads in pages so memory stays flat for any log size.
    /// </summary>
    public async Task<Verification> VerifyAsync(CofferDb db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var previous = GenesisHash;
        long expected = 1;
        const int page = 1000;
        while (true)
        {
            var from = expected;
            var batch = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence >= from).OrderBy(e => e.Sequence).Take(page).ToListAsync(ct);
            foreach (var e in batch)
            {
                if (e.Sequence != expected)
                {
                    return new Verification(expected - 1, expected, $"event {expected} is missing");
                }

                if (e.PreviousHash != previous)
                {
                    return new Verification(expected - 1, e.Sequence, "its link to the previous event does not match");
                }

                if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(e, previous)), Encoding.ASCII.GetBytes(e.Hash)))
                {
                    return new Verification(expected - 1, e.Sequence, "its contents do not match its hash");
                }

                previous = e.Hash;
                expected++;
            }

            if (batch.Count < page)
            {
                return new Verification(expected - 1, null, null);
            }
        }
    }
}
