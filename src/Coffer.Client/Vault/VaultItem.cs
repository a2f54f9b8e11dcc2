using Coffer.Protocol.Api;

namespace Coffer.Client.Vault;

/// <summary>
/// A decrypted vault item. Plain text lives only in memory; on the wire and on disk every string is an EncString.
/// <see cref="Id"/> and the dates are null for an item that has not been saved yet.
/// </summary>
public sealed record VaultItem
{
    public Guid? Id { get; init; }
    public CipherType Type { get; init; } = CipherType.Login;

    /// <summary>The organization that owns the item; null for a personal item.</summary>
    public Guid? OrganizationId { get; init; }

    /// <summary>The item's collections the caller can see (organization items only).</summary>
    public IReadOnlyList<Guid> CollectionIds { get; init; } = [];

    /// <summary>Whether the caller may edit it (false: read-only collection access); always true for personal items.</summary>
    public bool Edit { get; init; } = true;

    /// <summary>Whether the caller may see the password (false: hide-passwords access).</summary>
    public bool ViewPassword { get; init; } = true;
    public required string Name { get; init; }
    public string? Notes { get; init; }
    public Guid? FolderId { get; init; }
    public bool Favorite { get; init; }
    public int Reprompt { get; init; }
    public LoginView? Login { get; init; }
    public CardView? Card { get; init; }
    public IdentityView? Identity { get; init; }
    public IReadOnlyList<FieldView> Fields { get; init; } = [];
    public IReadOnlyList<PasswordHistoryView> PasswordHistory { get; init; } = [];
    public DateTime? CreationDate { get; init; }
    public DateTime? RevisionDate { get; init; }
    public DateTime? DeletedDate { get; init; }

    /// <summary>
    /// How many of the login's URIs were left out of <see cref="LoginView.Uris"/> because their <c>uriChecksum</c> was
    /// missing (items with their own key) or did not match: the server changed them (malicious-server.md BW06).
    /// </summary>
    public int RejectedUris { get; init; }
}

public sealed record LoginView
{
    public string? Username { get; init; }
    public string? Password { get; init; }
    public DateTime? PasswordRevisionDate { get; init; }
    public string? Totp { get; init; }
    public IReadOnlyList<string> Uris { get; init; } = [];

    /// <summary>
    /// The match rule of each URI in <see cref="Uris"/> that has one; a URI not in here uses the default rule
    /// (<see cref="UriMatch.Domain"/>). Keyed by the URI's text, as the rule belongs to the URI.
    /// </summary>
    public IReadOnlyDictionary<string, UriMatch> Matches { get; init; } = new Dictionary<string, UriMatch>();
}

/// <summary>
/// URI match detection, the numbers of <c>login.uris[].match</c> on the wire (protocol §4.10;
/// Bitwarden's <c>UriMatchStrategy</c>). Null on the wire means the default, which is <see cref="Domain"/>.
/// </summary>
public enum UriMatch
{
    Domain = 0,
    Host = 1,
    StartsWith = 2,
    Exact = 3,
    RegularExpression = 4,
    Never = 5,
}

public sealed record CardView
{
    public string? CardholderName { get; init; }
    public string? Brand { get; init; }
    public string? Number { get; init; }
    public string? ExpMonth { get; init; }
    public string? ExpYear { get; init; }
    public string? Code { get; init; }
}

public sealed record IdentityView
{
    public string? Title { get; init; }
    public string? FirstName { get; init; }
    public string? MiddleName { get; init; }
    public string? LastName { get; init; }
    public string? Address1 { get; init; }
    public string? Address2 { get; init; }
    public string? Address3 { get; init; }
    public string? City { get; init; }
    public string? State { get; init; }
    public string? PostalCode { get; init; }
    public string? Country { get; init; }
    public string? Company { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public string? Ssn { get; init; }
    public string? Username { get; init; }
    public string? PassportNumber { get; init; }
    public string? LicenseNumber { get; init; }
}

/// <summary>A custom field; <see cref="Type"/> 0 text, 1 hidden, 2 boolean, 3 linked.</summary>
public sealed record FieldView(int Type, string? Name, string? Value, int? LinkedId = null);

public sealed record PasswordHistoryView(string Password, DateTime LastUsedDate);

/// <summary>A decrypted folder.</summary>
public sealed record FolderView(Guid Id, string Name, DateTime RevisionDate);
