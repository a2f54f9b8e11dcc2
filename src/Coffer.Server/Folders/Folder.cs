namespace Coffer.Server.Folders;

public sealed class Folder
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary>EncString under the user key.</summary>
    public required string Name { get; set; }

    public DateTime CreationDate { get; set; }
    public DateTime RevisionDate { get; set; }
}
