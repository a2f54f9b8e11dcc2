using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Sync;

/// <summary>
/// The side effects that travel with every vault change, committed in the same transaction as the change:
/// today the account revision date that <c>bw sync</c> compares with its last sync (protocol §4.6); device
/// notifications and audit events join here.
/// </summary>
public sealed class VaultChanges(CofferDb db, TimeProvider time)
{
    public DateTime Now { get; } = time.GetUtcNow().UtcDateTime;

    /// <summary>Saves the tracked changes and bumps the account revision date, all or nothing.</summary>
    public async Task CommitAsync(Guid userId, CancellationToken ct = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.AccountRevisionDate, Now), ct);
        await transaction.CommitAsync(ct);
    }
}
