using System.Buffers;
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
        WriteContent(writer, send);
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

    /// <summary>The owner's Send as a 200 JSON answer.</summary>
    public static IResult Result(Send send) => Render(writer => Write(writer, send));

    /// <summary><c>GET /api/sends</c>: <c>{"data":[Send…],"object":"list","continuationToken":null}</c>.</summary>
    public static IResult ListResult(IEnumerable<Send> sends) => Render(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("data"u8);
        foreach (var send in sends)
        {
            Write(writer, send);
        }

        writer.WriteEndArray();
        writer.WriteString("object"u8, "list"u8);
        writer.WriteNull("continuationToken"u8);
        writer.WriteEndObject();
    });

    /// <summary>
    /// <c>POST /api/sends/file/v2</c> (§3.5): <c>fileUploadType</c> 0 (direct, the only kind Coffer offers), the
    /// relative upload path, and the Send with its <c>file.id</c>, which the client uploads to.
    /// </summary>
    public static IResult UploadResult(Send send) => Render(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("fileUploadType"u8, 0);
        writer.WriteString("object"u8, "send-fileUpload"u8);
        writer.WriteString("url"u8, $"/sends/{send.Id:D}/file/{send.FileId}");
        writer.WritePropertyName("sendResponse"u8);
        Write(writer, send);
        writer.WriteEndObject();
    });

    /// <summary>
    /// What a recipient sees (§3.8 step 2, object <c>send-access</c>): the access id as <c>id</c>, the encrypted name
    /// and content, the expiry, and the owner's e-mail as <c>creatorIdentifier</c> (null when <paramref name="creator"/>
    /// is, for a Send that hides it). Never the key, notes, password, counts or deletion date.
    /// </summary>
    public static IResult AccessResult(Send send, string? creator) => Render(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, SendAccessId.Encode(send.Id));
        writer.WriteNumber("type"u8, send.Type);
        writer.WriteNumber("authType"u8, send.AuthType);
        writer.WriteString("name"u8, send.Name);
        WriteContent(writer, send);
        if (send.ExpirationDate is { } expiration)
        {
            writer.WriteString("expirationDate"u8, expiration);
        }
        else
        {
            writer.WriteNull("expirationDate"u8);
        }

        WriteNullable(writer, "creatorIdentifier"u8, creator);
        writer.WriteString("object"u8, "send-access"u8);
        writer.WriteEndObject();
    });

    /// <summary><c>text</c> and <c>file</c>, one of them null; a file's <c>size</c> is a string (§3.1 notes).</summary>
    private static void WriteContent(Utf8JsonWriter writer, Send send)
    {
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
        if (send.Type != 1)
        {
            writer.WriteNullValue();
            return;
        }

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

    private static IResult Render(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json; charset=utf-8");
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
