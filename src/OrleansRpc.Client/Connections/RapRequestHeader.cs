using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Connections;

/// <summary>The header of one request frame, written without building a header object.</summary>
internal readonly struct RapRequestHeader
{
    public byte[]? EncodedTarget { get; init; }

    public string? LifeCycle { get; init; }

    public double? Deadline { get; init; }

    public string? ChannelId { get; init; }

    public string? SessionId { get; init; }

    public IReadOnlyList<KeyValuePair<string, MessagePackValue>>? User { get; init; }
}
