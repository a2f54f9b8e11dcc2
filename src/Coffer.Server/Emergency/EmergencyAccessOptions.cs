namespace Coffer.Server.Emergency;

/// <summary>Emergency access (section <c>Coffer:EmergencyAccess</c>, <c>bitwarden-sharing-features.md</c> §4).</summary>
public sealed class EmergencyAccessOptions
{
    /// <summary>Whether accounts may grant emergency access (default true); false refuses every emergency route with 400 and the background run approves and mails nothing.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Hours an invitation link stays valid (1–720, default 120).</summary>
    public int InvitationHours { get; set; } = 120;

    internal IEnumerable<string> Validate()
    {
        if (InvitationHours is < 1 or > 720)
        {
            yield return "Coffer:EmergencyAccess:InvitationHours must be between 1 and 720.";
        }
    }
}
