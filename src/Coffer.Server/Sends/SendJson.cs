using System.Globalization;
using System.Text.Json;
using Coffer.Server.Ciphers;

namespace Coffer.Server.Sends;

/// <summary>
/// The Send object its owner sees (<c>bitwarden-sharing-features.md</c> §3.1): in sync's <c>sends</c>, <c>GET /api/sends</c>
/// and the create and edit answers. <c>password</c> is only a marker (clients test it for null); the stored hash
/// never leaves the server. <c>hideEmail</c> is always a boolean and a file's <c>size</c> a string (§3.1 notes).
/// </summary>
public static class SendJson
{
    public static void Write(Utf8JsonWriter writer, Send send)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(send);
        writer.WriteStartObject();
        writer.WriteString("id"u8, send.Id);
        writer.WriteString("accessId"u8, SendAccessId.Encode(send.Id));
        writer.WriteNumber("type"u8, send.Type);
        writer.WriteString("name"u8, send.Name);
        WriteNullable(writer, "notes"u8, send.Notes);
        writer.WritePropertyName("text"u8);
        if (send.Type == 0)
        {
            writer.WriteRawValue(send.Data);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WritePropertyName("file"u8);
        if (send.Type == 1)
        {
            using var data = JsonDocument.Parse(send.Data);
            writer.WriteStartObject();
            WriteNullable(writer, "id"u8, send.FileId);
            writer.WritePropertyName("fileName"u8);
            if (data.RootElement.TryGetProperty("fileName", out var fileName))
            {
                fileName.WriteTo(writer);
            }
            else
            {
                writer.WriteNullValue();
            }

            var size = send.FileSize ?? 0;
            writer.WriteString("size"u8, size.ToString(CultureInfo.InvariantCulture));
            writer.WriteString("sizeName"u8, AttachmentJson.SizeName(size));
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WriteString("key"u8, send.Key);
        if (send.MaxAccessCount is { } max)
        {
            writer.WriteNumber("maxAccessCount"u8, max);
        }
        else
        {
            writer.WriteNull("maxAccessCount"u8);
        }

        writer.WriteNumber("accessCount"u8, send.AccessCount);
        // A marker, not the hash (§3.1 notes): clients only check it for null.
        WriteNullable(writer, "password"u8, send.PasswordHash is null ? null : "set");
        writer.WriteNumber("authType"u8, send.AuthType);
        writer.WriteNull("emails"u8);
        writer.WriteBoolean("disabled"u8, send.Disabled);
        writer.WriteBoolean("hideEmail"u8, send.HideEmail);
        writer.WriteString("revisionDate"u8, send.RevisionDate);
        if (send.ExpirationDate is { } expiration)
        {
            writer.WriteString("expirationDate"u8, expiration);
        }
        else
        {
            writer.WriteNull("expirationDate"u8);
        }

        writer.WriteString("deletionDate"u8, send.DeletionDate);
        writer.WriteString("object"u8, "send"u8);
        writer.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
