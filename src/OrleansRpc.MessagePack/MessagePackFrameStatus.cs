namespace OrleansRpc.MessagePack;

/// <summary>The outcome of <c>MessagePackFrameReader.TryReadNext</c>.</summary>
public enum MessagePackFrameStatus
{
    /// <summary>A whole value is in the buffer; its end was returned.</summary>
    Complete,

    /// <summary>The buffer holds only the start of a value (or nothing).</summary>
    NeedMoreData,
}
