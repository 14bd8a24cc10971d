using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Protocol.Connections;

/// <summary>
/// A v0.5.3.8 call body <c>{"call_id": int, "param": [...], "default_param": {...}}</c> (§3.8), read without building a
/// value tree: the parameter containers stay raw slices for the binder.
/// </summary>
internal static class LegacyCallBody
{
    public enum Status
    {
        Ok,
        NotMap,
        MissingParams,
    }

    public static Status TryParse(in ReadOnlySequence<byte> body, out long callId, out ReadOnlySequence<byte> positional, out ReadOnlySequence<byte> keywords)
    {
        callId = 0;
        positional = keywords = default;
        var reader = new MessagePackReader(body);
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            return Status.NotMap;
        }

        bool hasCallId = false, hasParam = false, hasDefault = false;
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                reader.Skip();
                reader.Skip();
                continue;
            }

            ReadOnlySpan<byte> key = reader.TryReadStringSpan(out var span)
                ? span
                : System.Text.Encoding.UTF8.GetBytes(reader.ReadString()!);

            if (key.SequenceEqual("call_id"u8) && reader.NextMessagePackType == MessagePackType.Integer)
            {
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    var unsigned = reader.ReadUInt64();
                    if (unsigned > long.MaxValue)
                    {
                        return Status.MissingParams;
                    }

                    callId = (long)unsigned;
                }
                else
                {
                    callId = reader.ReadInt64();
                }

                hasCallId = true;
            }
            else if (key.SequenceEqual("param"u8) && reader.NextMessagePackType == MessagePackType.Array)
            {
                positional = reader.ReadRaw();
                hasParam = true;
            }
            else if (key.SequenceEqual("default_param"u8) && reader.NextMessagePackType == MessagePackType.Map)
            {
                keywords = reader.ReadRaw();
                hasDefault = true;
            }
            else
            {
                reader.Skip();
            }
        }

        return hasCallId && hasParam && hasDefault ? Status.Ok : Status.MissingParams;
    }
}
