using System.Buffers;
using System.Text.Json;
using Coffer.Server.Organizations;

namespace Coffer.Server.Ciphers;

/// <summary>
/// What one caller sees of an item besides its stored data (doc <c>bitwarden-organizations.md</c> §7.3): the item's
/// collections visible to them, their combined flags, and their own folder and favourite (per member for an
/// organization item, pitfall P11).
/// </summary>
public readonly record struct CallerView(IReadOnlyList<Guid> CollectionIds, CollectionFlags Flags, Guid? FolderId, bool Favorite)
{
    /// <summary>The owner's view of a personal item: full access, the item's own folder and favourite.</summary>
    public static CallerView Personal(Cipher cipher)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        return new CallerView([], CollectionFlags.Full, cipher.FolderId, cipher.Favorite);
    }
}

/// <summary>
/// Writes a stored cipher as Bitwarden's "cipherDetails" object (protocol §4.11) without parsing its encrypted
/// part: the server-owned fields are written first, then the stored <see cref="Cipher.Data"/> object's members
/// are spliced in as they are. This keeps sync close to the cost of copying bytes.
/// </summary>
public static class CipherJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    /// <summary>A personal item as its owner sees it.</summary>
    public static void Write(Utf8JsonWriter writer, Cipher cipher, ArrayBufferWriter<byte> scratch) =>
        Write(writer, cipher, CallerView.Personal(cipher), scratch);

    /// <summary>
    /// An item as <paramref name="view"/>'s caller sees it: <c>edit</c> and <c>permissions</c> follow the combined
    /// flags (delete and restore need manage or edit, upstream's rule without <c>limitItemDeletion</c>, doc §7.3),
    /// <c>viewPassword</c> follows hide-passwords.
    /// </summary>
    /// <remarks>
    /// <paramref name="attachments"/> are the item's uploaded attachments (null or empty: <c>"attachments": null</c>), and
    /// <paramref name="attachmentUrl"/> mints each one's download URL (null: <c>url</c> null, as in sync, whose cached body
    /// must not carry tokens that expire).
    /// </remarks>
    public static void Write(Utf8JsonWriter writer, Cipher cipher, CallerView view, ArrayBufferWriter<byte> scratch,
        IReadOnlyList<Attachment>? attachments = null, Func<Attachment, string>? attachmentUrl = null)
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
            if (cipher.OrganizationId is { } organizationId)
            {
                head.WriteString("organizationId"u8, organizationId);
            }
            else
            {
                head.WriteNull("organizationId"u8);
            }

            if (view.FolderId is { } folderId)
            {
                head.WriteString("folderId"u8, folderId);
            }
            else
            {
                head.WriteNull("folderId"u8);
            }

            head.WriteBoolean("favorite"u8, view.Favorite);
            // bw refuses to edit, delete or restore locally without these (protocol §0, item 3).
            head.WriteBoolean("edit"u8, view.Flags.CanEdit);
            head.WriteBoolean("viewPassword"u8, view.Flags.CanViewPassword);
            head.WriteStartObject("permissions"u8);
            head.WriteBoolean("delete"u8, view.Flags.CanEdit);
            head.WriteBoolean("restore"u8, view.Flags.CanEdit);
            head.WriteEndObject();
            head.WriteBoolean("organizationUseTotp"u8, true);
            if (attachments is { Count: > 0 })
            {
                head.WriteStartArray("attachments"u8);
                foreach (var attachment in attachments)
                {
                    AttachmentJson.Write(head, attachment, attachmentUrl?.Invoke(attachment));
                }

                head.WriteEndArray();
            }
            else
            {
                head.WriteNull("attachments"u8);
            }

            head.WriteStartArray("collectionIds"u8);
            foreach (var collectionId in view.CollectionIds)
            {
                head.WriteStringValue(collectionId);
            }

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

    /// <summary>One personal cipher as a complete JSON document (create, edit, restore responses).</summary>
    public static IResult Result(Cipher cipher) => Result(cipher, CallerView.Personal(cipher));

    /// <summary>
    /// One cipher as <paramref name="view"/>'s caller sees it, as a complete JSON document, with its uploaded
    /// attachments and their download URLs (<c>bitwarden-sharing-features.md</c> §2.8), read when the answer is written,
    /// so every route that answers with an item carries them.
    /// </summary>
    public static IResult Result(Cipher cipher, CallerView view) => new CipherResult(cipher, view, Optional: false);

    /// <summary>
    /// <c>collections_v2</c>'s answer (doc §6.2, pitfall P7): <c>{"object":"optionalCipherDetails","unavailable":…,"cipher":…}</c>,
    /// with <c>unavailable: true</c> and a null cipher when the caller can no longer see the item.
    /// </summary>
    public static IResult OptionalResult(Cipher cipher, CallerView? view) => new CipherResult(cipher, view, Optional: true);

    /// <summary>
    /// The cipher JSON of <paramref name="cipher"/> with its uploaded attachments and <paramref name="pending"/> (a slot
    /// just reserved, §2.2), each with a download URL for the caller of <paramref name="context"/>.
    /// </summary>
    public static async Task<byte[]> RenderAsync(HttpContext context, Cipher cipher, CallerView view, Attachment? pending = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(cipher);
        var attachments = (await CipherAttachments.UploadedAsync(context, [cipher.Id]))[cipher.Id].ToList();
        if (pending is not null)
        {
            attachments.Add(pending);
        }

        return Render(cipher, view, attachments, CipherAttachments.UrlMinter(context));
    }

    private sealed record CipherResult(Cipher Cipher, CallerView? View, bool Optional) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            byte[]? rendered = View is { } view ? await RenderAsync(httpContext, Cipher, view) : null;
            if (Optional)
            {
                var buffer = new ArrayBufferWriter<byte>(1024);
                using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
                {
                    writer.WriteStartObject();
                    writer.WriteString("object"u8, "optionalCipherDetails"u8);
                    writer.WriteBoolean("unavailable"u8, rendered is null);
                    writer.WritePropertyName("cipher"u8);
                    if (rendered is not null)
                    {
                        writer.WriteRawValue(rendered, skipInputValidation: true);
                    }
                    else
                    {
                        writer.WriteNullValue();
                    }

                    writer.WriteEndObject();
                }

                rendered = buffer.WrittenSpan.ToArray();
            }

            await Results.Bytes(rendered ?? [], "application/json; charset=utf-8").ExecuteAsync(httpContext);
        }
    }

    private static byte[] Render(Cipher cipher, CallerView view, IReadOnlyList<Attachment>? attachments, Func<Attachment, string>? attachmentUrl)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        var scratch = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, cipher, view, scratch, attachments, attachmentUrl);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Personal ciphers in Bitwarden's list envelope, streamed.</summary>
    public static Task WriteListAsync(HttpResponse response, IEnumerable<Cipher> ciphers, CancellationToken ct) =>
        WriteListAsync(response, ciphers.Select(c => (c, CallerView.Personal(c))), ct);

    /// <summary>Bitwarden's list envelope of ciphers, <c>{"data":[…],"object":"list","continuationToken":null}</c>, streamed.</summary>
    public static async Task WriteListAsync(HttpResponse response, IEnumerable<(Cipher Cipher, CallerView View)> ciphers, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(ciphers);
        var items = ciphers.ToList();
        // One query for the attachments of every listed item, however many there are.
        var attachments = await CipherAttachments.UploadedAsync(response.HttpContext, [.. items.Select(i => i.Cipher.Id)]);
        var url = CipherAttachments.UrlMinter(response.HttpContext);
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        var scratch = new ArrayBufferWriter<byte>(4096);
        writer.WriteStartObject();
        writer.WriteStartArray("data"u8);
        foreach (var (cipher, view) in items)
        {
            Write(writer, cipher, view, scratch, [.. attachments[cipher.Id]], url);
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
