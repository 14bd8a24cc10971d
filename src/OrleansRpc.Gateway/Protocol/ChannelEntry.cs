using OrleansRpc.Server;

namespace OrleansRpc.Gateway.Protocol;

/// <summary>What the gateway holds for one open channel: a channel function's <see cref="RapChannelProxy"/>, or a HEAD async generator served over a channel.</summary>
internal sealed class ChannelEntry
{
    public ChannelEntry(long token, RapFunctionDescriptor function, RapCallContext context)
    {
        Token = token;
        Function = function;
        Context = context;
    }

    public long Token { get; }

    public RapFunctionDescriptor Function { get; }

    public RapCallContext Context { get; }

    /// <summary>Set for channel functions.</summary>
    public RapChannelProxy? Channel { get; set; }

    /// <summary>Set for HEAD generators once the parameter message arrived.</summary>
    public RapGeneratorStream? Generator { get; set; }

    /// <summary>HEAD generator: the parameter message was seen (later client messages are ignored).</summary>
    public bool GeneratorStarted { get; set; }

    /// <summary>Cancelled when the client dropped the channel or the connection ended (never disposed: it has no timer, and late cancels stay safe).</summary>
    public CancellationTokenSource Ended { get; } = new();

    /// <summary>The last pending delivery of a client message (deliveries are chained to keep their order).</summary>
    public Task DeliveryTail { get; set; } = Task.CompletedTask;
}
