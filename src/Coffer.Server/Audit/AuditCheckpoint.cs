namespace Coffer.Server.Audit;

/// <summary>
/// A checkpoint of the audit log (<c>AuditCheckpoints</c>): at <see cref="Date"/>, the head of every chain
/// (<see cref="AuditCheckpointHead"/> rows, stored for the chains that moved since the previous checkpoint), the
/// <see cref="Root"/> hash over all of those heads, chained to the previous checkpoint and MACed with a key only the
/// server holds. A chain whose newest events are removed after a checkpoint no longer reaches the head it recorded.
/// </summary>
public sealed class AuditCheckpoint
{
    /// <summary>1, 2, 3, … without gaps.</summary>
    public long Number { get; set; }

    public DateTime Date { get; set; }

    /// <summary>How many chains the checkpoint covers (every chain with at least one event).</summary>
    public long ChainCount { get; set; }

    /// <summary>How many events it covers: the sum of the head positions.</summary>
    public long EventCount { get; set; }

    /// <summary>Hex SHA-256 over the sorted heads (<c>AuditCheckpoints.Root</c>).</summary>
    public required string Root { get; set; }

    /// <summary>The previous checkpoint's <see cref="Hash"/> (64 zeros for the first).</summary>
    public required string PreviousHash { get; set; }

    /// <summary>Hex HMAC-SHA256 over the fields above, keyed apart from the chain's key.</summary>
    public required string Hash { get; set; }
}

/// <summary>
/// The head of one chain as of checkpoint <see cref="CheckpointNumber"/>; a chain's head at checkpoint n is its row
/// with the largest number up to n (a chain that did not move is not written again).
/// </summary>
public sealed class AuditCheckpointHead
{
    public long CheckpointNumber { get; set; }
    public Guid ChainId { get; set; }

    /// <summary>The head's position in its chain.</summary>
    public long Position { get; set; }

    /// <summary>The head's <see cref="AuditEvent.Sequence"/>.</summary>
    public long EventId { get; set; }

    public required string Hash { get; set; }
}
