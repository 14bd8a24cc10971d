using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.CeilingServer;

/// <summary>The canned answers: what a correct rap HEAD server sends, without binding or running anything.</summary>
public static class CeilingAnswers
{
    private static ReadOnlySpan<byte> TargetKey => "target"u8;
    private static ReadOnlySpan<byte> LifeCycleKey => "channel_life_cycle"u8;

    /// <summary>Answers one frame; true when something was written.</summary>
    public static bool Answer(in ReadOnlySequence<byte> frame, IBufferWriter<byte> output, CeilingConnectionState state)
    {
        var reader = new MessagePackReader(frame, MessagePackReaderOptions.Default);
        if (reader.ReadArrayHeader() < 4)
        {
            throw new InvalidDataException("not a HEAD frame");
        }

        long type = reader.ReadInt64();
        long id = reader.ReadInt64();
        int entries = reader.ReadMapHeader();
        Span<byte> target = stackalloc byte[64];
        int targetLength = 0;
        byte lifeCycle = 0; // 'D'ECLARE, 'M'SG, 'R' = DROP
        for (int i = 0; i < entries; i++)
        {
            if (!reader.TryReadStringSpan(out ReadOnlySpan<byte> key))
            {
                reader.Skip();
                reader.Skip();
            }
            else if (key.SequenceEqual(TargetKey) && reader.TryReadStringSpan(out ReadOnlySpan<byte> value) && value.Length <= target.Length)
            {
                value.CopyTo(target);
                targetLength = value.Length;
            }
            else if (key.SequenceEqual(LifeCycleKey) && reader.TryReadStringSpan(out ReadOnlySpan<byte> cycle) && cycle.Length > 1)
            {
                lifeCycle = cycle[1] == (byte)'R' ? (byte)'R' : cycle[0];
            }
            else
            {
                reader.Skip();
            }
        }

        ReadOnlySpan<byte> name = target[..targetLength];
        var writer = new MessagePackWriter(output);
        switch (type)
        {
            case 101:
                WriteStart(ref writer, 101, id);
                writer.WriteMapHeader(0);
                if (name.SequenceEqual("/default/echo_bytes"u8))
                {
                    // {"data": x} → x
                    reader.ReadMapHeader();
                    reader.Skip();
                    writer.WriteRaw(reader.ReadRaw());
                }
                else if (name.SequenceEqual("/diag/allocated"u8))
                {
                    writer.Write(GC.GetTotalAllocatedBytes(precise: true));
                }
                else if (name.SequenceEqual("/diag/collect"u8))
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                    writer.Write(GC.GetTotalMemory(forceFullCollection: false));
                }
                else
                {
                    writer.Write(3);
                }

                break;
            case 102:
                switch (lifeCycle)
                {
                    case (byte)'D':
                        state.Open(id, generator: name.EndsWith("/gen"u8));
                        WriteChannel(ref writer, id, "DECLARE"u8);
                        writer.WriteNil();
                        break;
                    case (byte)'M' when state.Kind(id) == true:
                        // {"n": count}: streamed by the caller after this batch
                        reader.ReadMapHeader();
                        reader.Skip();
                        state.QueueGenerator(id, reader.ReadInt64());
                        return false;
                    case (byte)'M':
                        WriteChannel(ref writer, id, "MSG"u8);
                        writer.WriteRaw(reader.ReadRaw());
                        break;
                    case (byte)'R':
                        state.Close(id);
                        WriteChannel(ref writer, id, "DROP"u8);
                        writer.WriteNil();
                        break;
                    default:
                        return false;
                }

                break;
            case 103 when name.SequenceEqual("/_event/DECLARE"u8):
                WriteStart(ref writer, 103, id);
                writer.WriteMapHeader(0);
                writer.WriteMapHeader(2);
                writer.Write("conn_id");
                writer.Write("1");
                writer.Write("server_info");
                writer.WriteMapHeader(3);
                writer.Write("host");
                writer.WriteArrayHeader(2);
                writer.Write("127.0.0.1");
                writer.Write(0);
                writer.Write("version");
                writer.Write("0.1");
                writer.Write("user_agent");
                writer.Write("Python3-0.0.0");
                break;
            case 103:
                WriteStart(ref writer, 103, id); // ping (or any other client event)
                writer.WriteMapHeader(0);
                writer.WriteMapHeader(0);
                break;
            default:
                return false; // 203: the client's answer to a server ping (this server never pings)
        }

        writer.Flush();
        return true;
    }

    public static void WriteChannelItem(IBufferWriter<byte> output, long id, long item)
    {
        var writer = new MessagePackWriter(output);
        WriteChannel(ref writer, id, "MSG"u8);
        writer.Write(item);
        writer.Flush();
    }

    public static void WriteChannelDrop(IBufferWriter<byte> output, long id)
    {
        var writer = new MessagePackWriter(output);
        WriteChannel(ref writer, id, "DROP"u8);
        writer.WriteNil();
        writer.Flush();
    }

    private static void WriteStart(ref MessagePackWriter writer, int type, long id)
    {
        writer.WriteArrayHeader(4);
        writer.Write(type);
        writer.Write(id);
    }

    private static void WriteChannel(ref MessagePackWriter writer, long id, ReadOnlySpan<byte> lifeCycle)
    {
        WriteStart(ref writer, 102, id);
        writer.WriteMapHeader(1);
        writer.WriteString("channel_life_cycle"u8);
        writer.WriteString(lifeCycle);
    }
}
