using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.LoadGenerator;

/// <summary>Every request frame one run sends, encoded before the run.</summary>
public sealed class RequestTemplates
{
    public const string GeneratorTarget = "/default/gen";
    public const string EchoChannelTarget = "/default/echo_channel";
    public const string EchoBytesTarget = "/default/echo_bytes";
    public const string AllocatedTarget = "/diag/allocated";
    public const string CollectTarget = "/diag/collect";
    public const string AllocationTypesTarget = "/diag/allocation_types";

    public RequestTemplates(LoadOptions options, int localPort)
    {
        ArgumentNullException.ThrowIfNull(options);
        byte[]? payload = options.PayloadBytes > 0 ? new byte[options.PayloadBytes] : null;
        if (payload is not null)
        {
            new Random(42).NextBytes(payload);
        }

        Declare = FrameTemplate.Create(
            HeadMessageType.ClientEvent,
            new RapHeader().Add(RapHeaderKeys.Target, "/_event/DECLARE"),
            MessagePackValue.FromMap(
                ("client_info", MessagePackValue.FromMap(
                    ("host", MessagePackValue.FromArray(options.Host, localPort)),
                    ("version", "0.1"),
                    ("user_agent", "Python3-0.0.0"))),
                ("metadata", MessagePackValue.FromMap())));
        Ping = FrameTemplate.Create(HeadMessageType.ClientEvent, new RapHeader().Add(RapHeaderKeys.Target, "/_event/ping"), MessagePackValue.FromMap());
        Call = payload is null
            ? FrameTemplate.Create(HeadMessageType.Message, new RapHeader().Add(RapHeaderKeys.Target, options.Function), MessagePackValue.FromMap(("a", 1), ("b", 2)))
            : FrameTemplate.Create(HeadMessageType.Message, new RapHeader().Add(RapHeaderKeys.Target, EchoBytesTarget), MessagePackValue.FromMap(("data", payload)));
        ExpectThree = payload is null;
        GeneratorDeclare = FrameTemplate.Create(HeadMessageType.Channel, ChannelHeader(RapChannelLifeCycle.HeadDeclare, GeneratorTarget), MessagePackValue.FromMap());
        GeneratorParameters = FrameTemplate.Create(HeadMessageType.Channel, ChannelHeader(RapChannelLifeCycle.Message, null), MessagePackValue.FromMap(("n", options.GeneratorItems)));
        ChannelDeclare = FrameTemplate.Create(HeadMessageType.Channel, ChannelHeader(RapChannelLifeCycle.HeadDeclare, EchoChannelTarget), MessagePackValue.FromMap());
        ChannelMessage = FrameTemplate.Create(HeadMessageType.Channel, ChannelHeader(RapChannelLifeCycle.Message, null), payload is null ? 1 : payload);
        Allocated = FrameTemplate.Create(HeadMessageType.Message, new RapHeader().Add(RapHeaderKeys.Target, AllocatedTarget), MessagePackValue.FromMap());
        Collect = FrameTemplate.Create(HeadMessageType.Message, new RapHeader().Add(RapHeaderKeys.Target, CollectTarget), MessagePackValue.FromMap());
        AllocationTypes = FrameTemplate.Create(HeadMessageType.Message, new RapHeader().Add(RapHeaderKeys.Target, AllocationTypesTarget), MessagePackValue.FromMap());
    }

    public FrameTemplate Declare { get; }

    public FrameTemplate Ping { get; }

    public FrameTemplate Call { get; }

    /// <summary>True when the unary answer must be the int 3 (<c>sum(1, 2)</c>).</summary>
    public bool ExpectThree { get; }

    public FrameTemplate GeneratorDeclare { get; }

    public FrameTemplate GeneratorParameters { get; }

    public FrameTemplate ChannelDeclare { get; }

    public FrameTemplate ChannelMessage { get; }

    public FrameTemplate Allocated { get; }

    public FrameTemplate Collect { get; }

    public FrameTemplate AllocationTypes { get; }

    private static RapHeader ChannelHeader(string lifeCycle, string? target)
    {
        var header = new RapHeader().Add(RapHeaderKeys.ChannelLifeCycle, lifeCycle);
        return target is null ? header : header.Add(RapHeaderKeys.Target, target);
    }
}
