using System.Buffers;

namespace OrleansRpc.Server;

/// <summary>
/// The arguments of a function-group grain call, carried inline in the grain request (no extra allocation). Public so
/// that incoming grain call filters (rate limits, telemetry) can see which function and caller a call is for.
/// </summary>
public readonly record struct GrainCallState(RapFunctionDescriptor Function, RapCallContext Context, RapArguments Arguments, IBufferWriter<byte> Output);
