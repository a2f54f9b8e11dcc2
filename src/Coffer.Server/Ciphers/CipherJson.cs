using System.Buffers;
using System.Text.Json;

namespace Coffer.Server.Ciphers;

/// <summary>
/// Writes a stored cipher as Bitwarden's "cipherDetails" object (protocol §4.11) without parsing its encrypted
/// part: the server-owned fields are written first, then the stored <see cref="Cipher.Data"/> object's members
/// are spliced in as they are. This keeps sync close to the cost of copying bytes.
/// </summary>
public static class CipherJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public static void Write(Utf8JsonWriter writer, Cipher cipher, ArrayBufferWriter<byte> scratch)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(cipher);
        ArgumentNullException.ThrowIfNull(scratch);
        scratch.ResetWrittenCount();
        using (var head = new Utf8JsonWriter(scratch, WriterOptions))
        {
            head.WriteStartObject();
            head.WriteString("object"u8, "cipherDetails"u8);
            head.WriteString("id"u8, cipher.Id);
            head.WriteNumber("type"u8, (int)cipher.Type);
            head.WriteNull("organizationId"u8);
            if (cipher.FolderId is { } folderId)
            {
                head.WriteString("folderId"u8, folderId);
            }
            else
            {
                head.WriteNull("folderId"u8);
            }

            head.WriteBoolean("favorite"u8, cipher.Favorite);
            // bw refuses to edit, delete or restore locally without these (protocol §0, item 3).
            head.WriteBoolean("edit"u8, true);
            head.WriteBoolean("viewPassword"u8, true);
            head.WriteStartObject("permissions"u8);
            head.WriteBoolean("delete"u8, true);
            head.WriteBoolean("restore"u8, true);
            head.WriteEndObject();
            head.WriteBoolean("organizationUseTotp"u8, true);
            head.WriteNull("attachments"u8);
            head.WriteStartArray("collectionIds"u8);
            head.WriteEndArray();
            head.WriteString("creationDate"u8, cipher.CreationDate);
            head.WriteString("revisionDate"u8, cipher.RevisionDate);
            WriteDate(head, "deletedDate"u8, cipher.DeletedDate);
            WriteDate(head, "archivedDate"u8, cipher.ArchivedDate);
            head.Flush();
        }

        // head is "{…" without its closing brace; Data is "{…}". Splice: "{head…," + "…data}".
        var data = cipher.Data;
        var span = scratch.GetSpan(data.Length);
        span[0] = (byte)',';
        data.AsSpan(1).CopyTo(span[1..]);
        scratch.Advance(data.Length);
        writer.WriteRawValue(scratch.WrittenSpan, skipInputValidation: true);
    }

    /// <summary>One cipher as a complete JSON document (create, edit, restore responses).</summary>
    public static IResult Result(Cipher cipher)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        var scratch = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, cipher, scratch);
        }

        return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json; charset=utf-8");
    }

    /// <summary>Bitwarden's list envelope of ciphers, <c>{"data":[…],"object":"list","continuationToken":null}</c>, streamed.</summary>
    public static async Task WriteListAsync(HttpResponse response, IEnumerable<Cipher> ciphers, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(ciphers);
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        var scratch = new ArrayBufferWriter<byte>(4096);
        writer.WriteStartObject();
        writer.WriteStartArray("data"u8);
        foreach (var cipher in ciphers)
        {
            Write(writer, cipher, scratch);
        }

        writer.WriteEndArray();
        writer.WriteString("object"u8, "list"u8);
        writer.WriteNull("continuationToken"u8);
        writer.WriteEndObject();
        await writer.FlushAsync(ct);
    }

    private static void WriteDate(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTime? value)
    {
        if (value is { } date)
        {
            writer.WriteString(name, date);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
