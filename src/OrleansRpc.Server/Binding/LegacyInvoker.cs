using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Binding;

/// <summary>A compiled 0.5.3.8 invoker: binds <c>param</c> and <c>default_param</c>, calls, writes (or returns) the result.</summary>
internal delegate TResult LegacyInvoker<TResult>(
    object? target,
    ref MessagePackReader param,
    ref MessagePackReader defaultParam,
    bool hasDefaultParam,
    string functionName,
    RapCallContext context,
    IBufferWriter<byte>? output);
