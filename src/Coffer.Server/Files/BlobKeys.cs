using System.Text.RegularExpressions;

namespace Coffer.Server.Files;

/// <summary>
/// The keys blobs are stored under, built only from ids the database handed out, never from a URL segment
/// (<c>bitwarden-sharing-features.md</c> §2.10 A-1, pitfall 8): <c>attachments/{cipherId}/{attachmentId}</c> and
/// <c>sends/{sendId}/{fileId}</c>. A key is 1–4 segments of <c>[a-z0-9-]</c>, 1–64 characters each, joined by
/// <c>/</c>; every store refuses anything else, so no key can name <c>..</c>, an absolute path, a NUL or a wildcard.
/// </summary>
public static partial class BlobKeys
{
    public const string AttachmentsFolder = "attachments";
    public const string SendsFolder = "sends";

    /// <summary><c>attachments/{cipherId}/{attachmentId}</c>.</summary>
    public static string Attachment(Guid cipherId, string attachmentId) => Checked($"{AttachmentsFolder}/{cipherId:D}/{attachmentId}");

    /// <summary>The prefix of every attachment of one item.</summary>
    public static string AttachmentsOf(Guid cipherId) => $"{AttachmentsFolder}/{cipherId:D}";

    /// <summary><c>sends/{sendId}/{fileId}</c>.</summary>
    public static string SendFile(Guid sendId, string fileId) => Checked($"{SendsFolder}/{sendId:D}/{fileId}");

    /// <summary>The prefix of a Send's file.</summary>
    public static string SendFilesOf(Guid sendId) => $"{SendsFolder}/{sendId:D}";

    /// <summary>True for a well-formed key or prefix (see above).</summary>
    public static bool IsValid(string? key) => key is not null && KeyPattern().IsMatch(key);

    /// <summary>Returns <paramref name="key"/> when valid.</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public static string Checked(string key) =>
        IsValid(key) ? key : throw new ArgumentException("Not a valid blob key.", nameof(key));

    [GeneratedRegex("^[a-z0-9-]{1,64}(/[a-z0-9-]{1,64}){0,3}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
