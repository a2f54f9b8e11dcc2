namespace Coffer.Server.Background;

/// <summary>The server's periodic work (section <c>Coffer:Background</c>, so <c>Coffer__Background__TrashDays</c> and so on).</summary>
public sealed class BackgroundOptions
{
    /// <summary>Minutes between runs (1–1440, default 60). One node of a cluster does each run.</summary>
    public int IntervalMinutes { get; set; } = 60;

    /// <summary>Days an item stays in the trash before it is deleted for good (default 30); 0 = never.</summary>
    public int TrashDays { get; set; } = 30;

    /// <summary>Hours an attachment slot or a file Send may wait for its upload before it is removed (1–168, default 24).</summary>
    public int UnfinishedUploadHours { get; set; } = 24;

    internal IEnumerable<string> Validate()
    {
        if (IntervalMinutes is < 1 or > 1440)
        {
            yield return "Coffer:Background:IntervalMinutes must be between 1 and 1440.";
        }

        if (TrashDays is < 0 or > 3650)
        {
            yield return "Coffer:Background:TrashDays must be between 0 (never) and 3650.";
        }

        if (UnfinishedUploadHours is < 1 or > 168)
        {
            yield return "Coffer:Background:UnfinishedUploadHours must be between 1 and 168.";
        }
    }
}
