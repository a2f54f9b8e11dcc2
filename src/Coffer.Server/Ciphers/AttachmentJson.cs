using System.Globalization;
using System.Text.Json;

namespace Coffer.Server.Ciphers;

/// <summary>
/// An entry of a cipher's <c>attachments</c> array (<c>bitwarden-sharing-features.md</c> §2.8):
/// <c>{"id","url","fileName","size","sizeName","key","object":"attachment"}</c>. <c>size</c> is a string, as the
/// clients' models type it; <c>key</c> is always written (null for attachments from before per-attachment keys),
/// because the CLI cannot decrypt without it.
/// </summary>
public static class AttachmentJson
{
    /// <summary>Writes one entry; <paramref name="url"/> is the absolute download URL, or null where none is minted (sync).</summary>
    public static void Write(Utf8JsonWriter writer, Attachment attachment, string? url)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(attachment);
        writer.WriteStartObject();
        writer.WriteString("id"u8, attachment.Id);
        if (url is null)
        {
            writer.WriteNull("url"u8);
        }
        else
        {
            writer.WriteString("url"u8, url);
        }

        writer.WriteString("fileName"u8, attachment.FileName);
        writer.WriteString("size"u8, attachment.Size.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("sizeName"u8, SizeName(attachment.Size));
        if (attachment.Key is null)
        {
            writer.WriteNull("key"u8);
        }
        else
        {
            writer.WriteString("key"u8, attachment.Key);
        }

        writer.WriteString("object"u8, "attachment"u8);
        writer.WriteEndObject();
    }

    /// <summary>A size for people, in 1024 steps: <c>81 Bytes</c>, <c>1.5 KB</c>, <c>12.34 MB</c> (display only).</summary>
    public static string SizeName(long bytes)
    {
        string[] units = ["Bytes", "KB", "MB", "GB", "TB"];
        double size = bytes;
        var unit = 0;
        while (size >= 1024 && unit < units.Length - 1)
        {
            size /= 1024;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{size:0.##} {units[unit]}");
    }
}
