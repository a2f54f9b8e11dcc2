namespace Coffer.Protocol.Api;

/// <summary><c>POST/PUT /api/folders</c> body (protocol §4.9): the name is an EncString.</summary>
public sealed record FolderRequestModel
{
    public string? Name { get; init; }
}

public sealed record FolderResponseModel
{
    public Guid Id { get; init; }
    public required string Name { get; init; }
    public DateTime RevisionDate { get; init; }
    public string Object { get; init; } = "folder";
}
