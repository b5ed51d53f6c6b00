using System.Buffers;
using Orleans.Serialization;
using Orleans.Storage;

namespace Dispatch.Grains.Storage;

/// <summary>
/// Grain state in storage, in Orleans' own binary format (the one its messages use, version-tolerant through the
/// <c>[Id]</c>s every state type carries), marked so that state written before in Orleans' default Newtonsoft JSON is
/// still read.
/// </summary>
/// <remarks>
/// <para>Why not Orleans' default: it writes JSON with type names through Newtonsoft reflection, and every grain write
/// serializes the whole state. In the S4 profile (docs/benchmarks.md) that was a quarter of all CPU of a dispatch on
/// the embedded file, more than SQLite itself.</para>
/// <para>The mark is two bytes, <c>0x00 0x01</c> (format 1), before Orleans' bytes: no JSON text starts with a NUL, so a
/// stored payload says which format it is without trying one and catching the other's failure (Orleans'
/// <see cref="GrainStorageSerializer"/> falls back on an exception, which could also hide a real error in new data).
/// Payloads without the mark are the old JSON, read with Orleans' own JSON serializer as configured for this silo, and
/// rewritten in the new format the next time the grain writes.</para>
/// </remarks>
public sealed class GrainStateSerializer(Serializer serializer, JsonGrainStorageSerializer legacyJson) : IGrainStorageSerializer
{
    private static readonly byte[] Mark = [0x00, 0x01];

    public BinaryData Serialize<T>(T? input)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(Mark);
        serializer.Serialize(input, buffer);
        return new BinaryData(buffer.WrittenMemory);
    }

    public T? Deserialize<T>(BinaryData input)
    {
        var bytes = input.ToMemory();
        return IsMarked(bytes.Span)
            ? serializer.Deserialize<T>(bytes[Mark.Length..])
            : legacyJson.Deserialize<T>(input);
    }

    /// <summary>Whether a stored payload is in this serializer's format (not the JSON Orleans wrote by default).</summary>
    public static bool IsMarked(ReadOnlySpan<byte> payload) => payload.StartsWith(Mark);
}
