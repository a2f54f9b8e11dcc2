using System.Buffers.Text;

namespace Coffer.Server.Sends;

/// <summary>
/// A Send's access id (<c>bitwarden-sharing-features.md</c> §3.2, §6.3): url-safe Base64 without padding of the 16
/// bytes of its id in <b>RFC 4122 byte order</b> (<c>Guid.ToByteArray(bigEndian: true)</c>), 22 characters. Chosen once
/// for Coffer and never to change: every link handed out contains it. RFC order is also what Vaultwarden uses, so
/// links of Sends imported from it would keep working. Example: <c>f1a7ea0f-721f-461e-a4a2-e94eedd2db60</c> ↔
/// <c>8afqD3IfRh6koulO7dLbYA</c>.
/// </summary>
public static class SendAccessId
{
    public static string Encode(Guid id) => Base64Url.EncodeToString(id.ToByteArray(bigEndian: true));

    /// <summary>
    /// The Send id of <paramref name="accessId"/>, or null unless it is exactly 22 url-safe Base64 characters (no
    /// padding, no <c>+</c> or <c>/</c>) of 16 bytes other than all zeros.
    /// </summary>
    public static Guid? Decode(string? accessId)
    {
        if (accessId is not { Length: 22 } || accessId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!Base64Url.TryDecodeFromChars(accessId, bytes, out var written) || written != 16)
        {
            return null;
        }

        var id = new Guid(bytes, bigEndian: true);
        // The last character carries 2 unused bits; only the canonical spelling decodes, so one Send has one access id.
        return id == Guid.Empty || Encode(id) != accessId ? null : id;
    }
}
