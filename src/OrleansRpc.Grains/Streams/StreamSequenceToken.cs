namespace OrleansRpc.Grains.Streams;

/// <summary>A position in a stream. Memory streams here are not rewindable and ignore tokens.</summary>
public abstract class StreamSequenceToken
{
    public abstract long SequenceNumber { get; }

    public abstract int EventIndex { get; }
}
