namespace OrleansRpc.Server.Binding;

/// <summary>A compiled channel handler call.</summary>
internal delegate ValueTask ChannelInvoker(object? target, IRapChannel channel, RapCallContext context);
