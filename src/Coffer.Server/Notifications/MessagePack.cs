using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Coffer.Server.Notifications;

/// <summary>
/// Writes the few MessagePack types the SignalR hub protocol needs (notifications doc §4, §6): arrays, maps,
/// strings, non-negative integers, nil, booleans and the timestamp extension (type −1). Encodings follow the
/// MessagePack specification (msgpack/msgpack spec.md) and always pick the shortest form, as the reference encoders do.
/// </summary>
internal readonly struct MessagePackWriter(ArrayBufferWriter<byte> output)
{
    public void WriteArrayHeader(int count) => WriteHeader(count, fixBase: 0x90, code16: 0xdc, code32: 0xdd);

    public void WriteMapHeader(int count) => WriteHeader(count, fixBase: 0x80, code16: 0xde, code32: 0xdf);

    public void WriteNil() => WriteByte(0xc0);

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)0xc3 : (byte)0xc2);

    /// <summary>Positive fixint, uint8, uint16 or uint32; the protocol never sends negative numbers.</summary>
    public void WriteInteger(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, uint.MaxValue);
        switch (value)
        {
            case < 0x80:
                WriteByte((byte)value);
                break;
            case <= byte.MaxValue:
                WriteByte(0xcc);
                WriteByte((byte)value);
                break;
            case <= ushort.MaxValue:
                WriteByte(0xcd);
                BinaryPrimitives.WriteUInt16BigEndian(output.GetSpan(2), (ushort)value);
                output.Advance(2);
                break;
            default:
                WriteByte(0xce);
                BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), (uint)value);
                output.Advance(4);
                break;
        }
    }

    /// <summary>UTF-8 as fixstr, str8, str16 or str32.</summary>
    public void WriteString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        switch (length)
        {
            case < 32:
                WriteByte((byte)(0xa0 | length));
                break;
            case <= byte.MaxValue:
                WriteByte(0xd9);
                WriteByte((byte)length);
                break;
            case <= ushort.MaxValue:
                WriteByte(0xda);
                BinaryPrimitives.WriteUInt16BigEndian(output.GetSpan(2), (ushort)length);
                output.Advance(2);
                break;
            default:
                WriteByte(0xdb);
                BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), (uint)length);
                output.Advance(4);
                break;
        }

        output.Advance(Encoding.UTF8.GetBytes(value, output.GetSpan(length)));
    }

    /// <summary>
    /// A UTC instant as the timestamp extension: timestamp 32 for whole seconds below 2³², timestamp 64 below 2³⁴
    /// seconds, else timestamp 96 (spec "Timestamp extension type"). .NET ticks are 100 ns, so nanoseconds are
    /// multiples of 100.
    /// </summary>
    public void WriteTimestamp(DateTime utc)
    {
        var sinceEpoch = utc.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks;
        var seconds = Math.DivRem(sinceEpoch, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }

        var nanoseconds = (uint)(remainder * 100);
        if (seconds >= 0 && seconds >> 34 == 0)
        {
            var data64 = ((ulong)nanoseconds << 34) | (ulong)seconds;
            if ((data64 & 0xffffffff00000000UL) == 0)
            {
                WriteByte(0xd6);
                WriteByte(0xff);
                BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), (uint)data64);
                output.Advance(4);
                return;
            }

            WriteByte(0xd7);
            WriteByte(0xff);
            BinaryPrimitives.WriteUInt64BigEndian(output.GetSpan(8), data64);
            output.Advance(8);
            return;
        }

        WriteByte(0xc7);
        WriteByte(12);
        WriteByte(0xff);
        BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), nanoseconds);
        output.Advance(4);
        BinaryPrimitives.WriteInt64BigEndian(output.GetSpan(8), seconds);
        output.Advance(8);
    }

    private void WriteHeader(int count, byte fixBase, byte code16, byte code32)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count < 16)
        {
            WriteByte((byte)(fixBase | count));
        }
        else if (count <= ushort.MaxValue)
        {
            WriteByte(code16);
            BinaryPrimitives.WriteUInt16BigEndian(output.GetSpan(2), (ushort)count);
            output.Advance(2);
        }
        else
        {
            WriteByte(code32);
            BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), (uint)count);
            output.Advance(4);
        }
    }

    private void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }
}

/// <summary>
/// Reads what a client may send after the handshake: arrays of small non-negative integers, nil, booleans and
/// strings (Ping <c>[6]</c>, Close <c>[7, error, allowReconnect]</c>, notifications doc §3.1). Anything else, or a
/// value that runs past the end of the message, throws <see cref="InvalidDataException"/>.
/// </summary>
internal ref struct MessagePackReader(ReadOnlySpan<byte> input)
{
    private ReadOnlySpan<byte> rest = input;

    public readonly bool End => rest.IsEmpty;

    public int ReadArrayHeader()
    {
        var code = Take(1)[0];
        return code switch
        {
            >= 0x90 and <= 0x9f => code & 0x0f,
            0xdc => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            _ => throw new InvalidDataException($"Expected an array, found MessagePack code 0x{code:x2}."),
        };
    }

    public int ReadInteger()
    {
        var code = Take(1)[0];
        return code switch
        {
            < 0x80 => code,
            0xcc => Take(1)[0],
            0xcd => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            _ => throw new InvalidDataException($"Expected a small non-negative integer, found MessagePack code 0x{code:x2}."),
        };
    }

    /// <summary>Skips one nil, boolean, small integer or string: the optional fields of a Close message.</summary>
    public void SkipScalar()
    {
        var code = Take(1)[0];
        var length = code switch
        {
            0xc0 or 0xc2 or 0xc3 or < 0x80 => 0,
            0xcc => 1,
            0xcd => 2,
            >= 0xa0 and <= 0xbf => code & 0x1f,
            0xd9 => Take(1)[0],
            0xda => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            _ => throw new InvalidDataException($"Unexpected MessagePack code 0x{code:x2}."),
        };
        Take(length);
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (rest.Length < count)
        {
            throw new InvalidDataException("The MessagePack value is truncated.");
        }

        var taken = rest[..count];
        rest = rest[count..];
        return taken;
    }
}
