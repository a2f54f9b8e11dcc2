using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Audit;

/// <summary>
/// The hash chains over <see cref="AuditEvent"/>s, one per account, per organization and one for the server
/// (<see cref="ChainOf"/>): <c>hash_n = HMAC-SHA256(k, hash_(n-1) || canonical(event_n))</c> where the canonical form
/// holds the chain id and position, with <c>k</c> derived (HKDF-SHA256, RFC 5869) from the server's signing key, which
/// is kept in the data folder or configuration, not in the database. A database-only attacker can change rows but
/// cannot recompute a chain; what a chain alone cannot show (its newest events removed) the checkpoints show
/// (<c>AuditCheckpoints</c>). Appending to a chain needs exclusive access to that chain's head only, so writes
/// of different accounts never wait on each other for the log.
/// </summary>
public sealed class AuditChain(TokenService tokens)
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The chain of admin and server events that concern no account or organization.</summary>
    public static readonly Guid ServerChain = Guid.Empty;

    /// <summary>
    /// The single global chain written before chains were per account (migration <c>AuditChains</c>): sealed, nothing
    /// is appended to it; its positions are its old gapless sequence numbers and its hashes keep their old form.
    /// </summary>
    public static readonly Guid LegacyChain = Guid.AllBitsSet;

    private readonly byte[] key = HKDF.DeriveKey(HashAlgorithmName.SHA256, tokens.SigningKey, 32, info: "coffer audit chain"u8.ToArray());

    /// <summary>The key of the checkpoints' HMAC: the same signing key, a distinct HKDF info, so neither MAC can stand for the other.</summary>
    internal byte[] CheckpointKey { get; } = HKDF.DeriveKey(HashAlgorithmName.SHA256, tokens.SigningKey, 32, info: "coffer audit checkpoint"u8.ToArray());

    /// <summary>The chain <paramref name="e"/> belongs to: its organization's, else its account's, else the server's (<see cref="ServerChain"/>).</summary>
    public static Guid ChainOf(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.OrganizationId ?? e.UserId ?? ServerChain;
    }

    /// <summary>
    /// The newest event of <paramref name="chainId"/> (position and hash), or null for an empty chain: one lookup on the
    /// unique (chain, position) index, never a scan. The caller holds the chain's head (see <see cref="Changes"/>).
    /// </summary>
    public static async Task<(long Position, string Hash)?> HeadAsync(CofferDb db, Guid chainId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var head = await db.AuditEvents.AsNoTracking().Where(e => e.ChainId == chainId).OrderByDescending(e => e.Position)
            .Select(e => new { e.Position, e.Hash }).FirstOrDefaultAsync(ct);
        return head is null ? null : (head.Position, head.Hash);
    }

    /// <summary>The hash of <paramref name="e"/> (hex, 64 characters) after <paramref name="previousHash"/>, in the form its chain uses.</summary>
    public string Compute(AuditEvent e, string previousHash)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(previousHash);
        return e.ChainId == LegacyChain ? ComputeLegacy(e, previousHash) : ComputeChained(e, previousHash);
    }

    /// <summary>
    /// Per-chain events: every field length-prefixed (a field holding a newline cannot shift another), the chain id
    /// and position included, so a row moved to another chain or position no longer matches its hash.
    /// </summary>
    private string ComputeChained(AuditEvent e, string previousHash)
    {
        var builder = new StringBuilder("coffer audit event v2\n");
        foreach (var field in (ReadOnlySpan<string?>)[
            previousHash,
            e.ChainId.ToString(),
            e.Position.ToString(CultureInfo.InvariantCulture),
            e.Date.Ticks.ToString(CultureInfo.InvariantCulture),
            ((int)e.Type).ToString(CultureInfo.InvariantCulture),
            e.UserId?.ToString(),
            e.ActingUserId?.ToString(),
            e.DeviceId?.ToString(),
            e.DeviceType?.ToString(CultureInfo.InvariantCulture),
            e.CipherId?.ToString(),
            e.OrganizationId?.ToString(),
            e.CollectionId?.ToString(),
            e.MembershipId?.ToString(),
            e.GroupId?.ToString(),
            e.PolicyId?.ToString(),
            e.IpAddress,
            e.Detail])
        {
            var value = field ?? "";
            builder.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');
        }

        return Mac(key, builder.ToString());
    }

    /// <summary>The legacy global chain's form, unchanged, so the events written before per-account chains still verify.</summary>
    private string ComputeLegacy(AuditEvent e, string previousHash)
    {
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

        return Mac(key, previousHash + "\n" + canonical);
    }

    internal static string Mac(byte[] key, string input) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(input)));

    /// <summary>Constant-time comparison of two hex hashes.</summary>
    internal static bool SameHash(string expected, string? actual) =>
        actual is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(actual));
}
