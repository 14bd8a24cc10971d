using System.Buffers;

namespace OrleansRpc.Server;

/// <summary>The arguments of a function-group grain call, carried inline in the grain request (no extra allocation).</summary>
internal readonly record struct GrainCallState(RapFunctionDescriptor Function, RapCallContext Context, RapArguments Arguments, IBufferWriter<byte> Output);
