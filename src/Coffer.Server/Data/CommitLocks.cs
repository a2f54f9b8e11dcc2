namespace Coffer.Server.Data;

/// <summary>
/// Per-key locks of <see cref="Changes"/> commits within this process: a key is an account, an organization, or an
/// audit chain (<see cref="Audit.AuditChain.ChainOf"/>, <see cref="Audit.AuditChain.ServerChain"/> for the server's
/// own). A commit takes the keys it touches, in ascending order so two commits wanting overlapping sets never hold
/// one each and wait for the other; commits of disjoint key sets never wait on each other. Across nodes on PostgreSQL
/// the same keys are taken again as transaction advisory locks (<see cref="CofferDb.LockKeysAsync"/>).
/// </summary>
public sealed class CommitLocks
{
    private readonly Lock sync = new();
    private readonly Dictionary<Guid, Entry> entries = [];

    /// <summary>
    /// Waits until this caller holds every key of <paramref name="keys"/> (duplicates ignored); dispose the answer to
    /// release them. Cancelled waits release what they had taken.
    /// </summary>
    public async Task<IDisposable> AcquireAsync(IEnumerable<Guid> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var held = new Held(this);
        try
        {
            foreach (var key in keys.Distinct().Order())
            {
                Entry entry;
                lock (sync)
                {
                    entry = entries.TryGetValue(key, out var existing) ? existing : entries[key] = new Entry();
                    entry.Users++;
                }

                try
                {
                    await entry.Semaphore.WaitAsync(ct);
                }
                catch
                {
                    Leave(key, entry, release: false);
                    throw;
                }

                held.Keys.Add((key, entry));
            }
        }
        catch
        {
            held.Dispose();
            throw;
        }

        return held;
    }

    /// <summary>Keys held or waited for right now (an idle process holds none).</summary>
    public int Count
    {
        get
        {
            lock (sync)
            {
                return entries.Count;
            }
        }
    }

    private void Leave(Guid key, Entry entry, bool release)
    {
        if (release)
        {
            entry.Semaphore.Release();
        }

        lock (sync)
        {
            if (--entry.Users == 0)
            {
                entries.Remove(key);
                entry.Semaphore.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Held(CommitLocks owner) : IDisposable
    {
        public List<(Guid Key, Entry Entry)> Keys { get; } = [];

        public void Dispose()
        {
            for (var i = Keys.Count - 1; i >= 0; i--)
            {
                owner.Leave(Keys[i].Key, Keys[i].Entry, release: true);
            }

            Keys.Clear();
        }
    }
}
