using OrleansRpc.MessagePack;

namespace OrleansRpc.LoadGenerator;

/// <summary>What the load generator needs from an answer frame, read without allocating.</summary>
public readonly ref struct ResponseFrame
{
    private static ReadOnlySpan<byte> StatusCodeKey => "status_code"u8;
    private static ReadOnlySpan<byte> LifeCycleKey => "channel_life_cycle"u8;
    private static ReadOnlySpan<byte> TargetKey => "target"u8;

    public ResponseFrame(int messageType, long id, bool hasStatus, LifeCycle lifeCycle, ReadOnlySpan<byte> target, ReadOnlySpan<byte> body)
    {
        MessageType = messageType;
        Id = id;
        HasStatus = hasStatus;
        LifeCycle = lifeCycle;
        Target = target;
        Body = body;
    }

    public int MessageType { get; }

    public long Id { get; }

    /// <summary>True when the header has a <c>status_code</c> (every success answer has <c>{}</c> or only a life cycle).</summary>
    public bool HasStatus { get; }

    public LifeCycle LifeCycle { get; }

    public ReadOnlySpan<byte> Target { get; }

    /// <summary>The raw msgpack of the body.</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>Reads a HEAD frame (exactly one msgpack value); throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static ResponseFrame Read(ReadOnlyMemory<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        if (reader.ReadArrayHeader() < 4)
        {
            throw new InvalidDataException("not a HEAD frame");
        }

        int type = (int)reader.ReadInt64();
        long id = reader.ReadInt64();
        int entries = reader.ReadMapHeader();
        bool status = false;
        LifeCycle lifeCycle = LifeCycle.None;
        ReadOnlySpan<byte> target = default;
        for (int i = 0; i < entries; i++)
        {
            if (!reader.TryReadStringSpan(out ReadOnlySpan<byte> key))
            {
                reader.Skip();
                reader.Skip();
                continue;
            }

            if (key.SequenceEqual(StatusCodeKey))
            {
                status = true;
                reader.Skip();
            }
            else if (key.SequenceEqual(LifeCycleKey) && reader.TryReadStringSpan(out ReadOnlySpan<byte> value))
            {
                lifeCycle = value.SequenceEqual("MSG"u8) ? LifeCycle.Message
                    : value.SequenceEqual("DROP"u8) ? LifeCycle.Drop
                    : value.SequenceEqual("DECLARE"u8) ? LifeCycle.Declare
                    : LifeCycle.Other;
            }
            else if (key.SequenceEqual(TargetKey) && reader.TryReadStringSpan(out ReadOnlySpan<byte> targetValue))
            {
                target = targetValue;
            }
            else
            {
                reader.Skip();
            }
        }

        int bodyStart = (int)reader.Consumed;
        reader.Skip();
        ReadOnlySpan<byte> body = frame.Span[bodyStart..(int)reader.Consumed];
        return new ResponseFrame(type, id, status, lifeCycle, target, body);
    }
}
