using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Files;

/// <summary>
/// Storage counted against quotas (<c>bitwarden-sharing-features.md</c> §1.5): bytes of encrypted files, reserved
/// slots included at their declared size. An account's use is its personal items' attachments plus its Send files; an
/// organization's is its items' attachments. Check inside the commit (<see cref="Changes.Require"/>, scoped to the quota's owner) so two
/// uploads racing for the last bytes cannot both pass.
/// </summary>
public sealed class StorageQuota(CofferDb db, IOptions<ServerOptions> options)
{
    private FileStorageOptions Limits => options.Value.Files;

    /// <summary>Bytes stored or reserved by <paramref name="userId"/>.</summary>
    public async Task<long> UsedByAccountAsync(Guid userId, CancellationToken ct)
    {
        var attachments = await db.Attachments.Where(a => db.Ciphers.Any(c => c.Id == a.CipherId && c.UserId == userId)).SumAsync(a => (long?)a.Size, ct) ?? 0;
        var sends = await db.Sends.Where(s => s.UserId == userId).SumAsync(s => s.FileSize, ct) ?? 0;
        return attachments + sends;
    }

    /// <summary>Bytes stored or reserved by <paramref name="organizationId"/>'s items.</summary>
    public async Task<long> UsedByOrganizationAsync(Guid organizationId, CancellationToken ct) =>
        await db.Attachments.Where(a => db.Ciphers.Any(c => c.Id == a.CipherId && c.OrganizationId == organizationId)).SumAsync(a => (long?)a.Size, ct) ?? 0;

    /// <summary>
    /// True when <paramref name="additionalBytes"/> more fit the quota of the item's owner: the organization when
    /// <paramref name="organizationId"/> is set, else the account.
    /// </summary>
    public async Task<bool> FitsAsync(Guid? userId, Guid? organizationId, long additionalBytes, CancellationToken ct)
    {
        var (limit, used) = organizationId is { } org
            ? (Limits.OrganizationQuotaBytes, Limits.OrganizationQuotaBytes == 0 ? 0 : await UsedByOrganizationAsync(org, ct))
            : (Limits.AccountQuotaBytes, Limits.AccountQuotaBytes == 0 || userId is null ? 0 : await UsedByAccountAsync(userId.Value, ct));
        return limit == 0 || used + additionalBytes <= limit;
    }

    /// <summary>The answer to a change that would go past a quota.</summary>
    public const string Exceeded = "Not enough storage available.";

    /// <summary>
    /// Makes <paramref name="changes"/>' next commit check, inside its transaction, that <paramref name="additionalBytes"/>
    /// more still fit (see <see cref="FitsAsync"/>); the commit then throws <see cref="ChangeRefusedException"/> with
    /// <see cref="Exceeded"/> when they do not. Rows the change itself adds are not counted yet, so pass their size here.
    /// </summary>
    public void RequireFits(Changes changes, Guid? userId, Guid? organizationId, long additionalBytes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        // Held: the quota's owner, which every change to its stored bytes holds (the owner of the item or Send).
        changes.Require(organizationId ?? userId ?? Audit.AuditChain.ServerChain, async ct => await FitsAsync(userId, organizationId, additionalBytes, ct) ? null : Exceeded);
    }
}
