namespace Coffer.Server.Audit;

/// <summary>The audit log's checkpoints (section <c>Coffer:Audit</c>, so <c>Coffer__Audit__CheckpointFile</c> and so on).</summary>
public sealed class AuditOptions
{
    /// <summary>
    /// How often the server writes a checkpoint, when any chain moved since the last one (a time span, e.g.
    /// <c>00:05:00</c>; 1 second to 1 day, default 5 minutes).
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A file each checkpoint is appended to as one JSON line (see <see cref="CheckpointRecord"/>); unset = none.</summary>
    public string? CheckpointFile { get; set; }

    /// <summary>An http(s) URL each checkpoint is POSTed to as JSON (see <see cref="CheckpointRecord"/>); unset = none.</summary>
    public string? CheckpointUrl { get; set; }

    internal IEnumerable<string> Validate()
    {
        if (CheckpointInterval < TimeSpan.FromSeconds(1) || CheckpointInterval > TimeSpan.FromDays(1))
        {
            yield return "Coffer:Audit:CheckpointInterval must be between 00:00:01 and 1.00:00:00.";
        }

        if (!string.IsNullOrEmpty(CheckpointUrl)
            && !(Uri.TryCreate(CheckpointUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            yield return "Coffer:Audit:CheckpointUrl must be an absolute http or https URL.";
        }
    }
}
