using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Binding;

/// <summary>A compiled HEAD invoker: binds the body map, calls the function, writes (or returns) the result.</summary>
internal delegate TResult HeadInvoker<TResult>(object? target, ref MessagePackReader args, RapCallContext context, IBufferWriter<byte>? output);
