namespace Coffer.Server.Files;

/// <summary>
/// Limits on stored files (section <c>Coffer:Files</c>, so <c>Coffer__Files__MaxFileBytes</c> and so on). Sizes are
/// bytes of the <em>encrypted</em> files, as clients declare and upload them (<c>bitwarden-sharing-features.md</c> §1.5).
/// </summary>
public sealed class FileStorageOptions
{
    /// <summary>Largest single attachment or Send file; default 500 MiB (524,288,000 bytes), as the Bitwarden clients expect.</summary>
    public long MaxFileBytes { get; set; } = 500L * 1024 * 1024;

    /// <summary>Storage per account (its personal items' attachments and its Send files); default 1 GiB; 0 = unlimited.</summary>
    public long AccountQuotaBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Storage per organization (its items' attachments); default 1 GiB; 0 = unlimited.</summary>
    public long OrganizationQuotaBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Slack between the declared and the uploaded size (§2.3 step 5): 1 MiB, as upstream allows.</summary>
    public const long SizeLeewayBytes = 1024 * 1024;

    internal IEnumerable<string> Validate()
    {
        if (MaxFileBytes is < 1024 or > 10L * 1024 * 1024 * 1024)
        {
            yield return "Coffer:Files:MaxFileBytes must be between 1 KiB and 10 GiB.";
        }

        if (AccountQuotaBytes < 0 || OrganizationQuotaBytes < 0)
        {
            yield return "Coffer:Files:AccountQuotaBytes and OrganizationQuotaBytes must be 0 (unlimited) or a number of bytes.";
        }
    }
}
