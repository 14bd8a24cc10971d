using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>One recorded msgpack object of a transcript line.</summary>
internal sealed record TranscriptEntry(int Connection, bool ClientToServer, byte[] Bytes, MessagePackValue Value)
{
    public int Type => (int)Value[0].AsInt64();

    public long Id => Value[1].AsInt64();

    /// <summary>HEAD frames have 4 elements, v0.5.3.8 frames 6 (group and func_name before the header).</summary>
    public bool IsLegacy => Value.AsArray().Count == 6;

    public MessagePackValue Header => IsLegacy ? Value[4] : Value[2];

    public MessagePackValue Body => IsLegacy ? Value[5] : Value[3];

    public string? Target => Header.TryGetValue("target", out var t) && t.Kind == MessagePackValueKind.String ? t.AsString() : null;

    public string? LifeCycle => Header.TryGetValue("channel_life_cycle", out var t) && t.Kind == MessagePackValueKind.String ? t.AsString() : null;

    /// <summary>DECLARE, ping and server events: not part of the call sequence.</summary>
    public bool IsEvent => Type is 103 or 203;
}
