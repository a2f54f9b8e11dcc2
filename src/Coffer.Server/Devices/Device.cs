namespace Coffer.Server.Devices;

/// <summary>A client installation of one user, keyed by the client-chosen <see cref="Identifier"/> (protocol §4.3.1).</summary>
public sealed class Device
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary>The client's own device GUID, accepted as given (protocol §6).</summary>
    public required string Identifier { get; set; }

    public required string Name { get; set; }

    /// <summary>Bitwarden device type number (25 = Linux CLI, …).</summary>
    public int Type { get; set; }

    public DateTime CreationDate { get; set; }
    public DateTime RevisionDate { get; set; }
}
