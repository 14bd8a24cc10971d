using Orleans;

namespace OrleansRpc.Server;

/// <summary>
/// Unary calls of one group that one read of a connection brought in together, for one grain call (Orleans' cost of a
/// call — its message, request and response objects — is paid once for all of them). Immutable, like its calls.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansrpc.invocation-batch")]
public sealed class RapInvocationBatch
{
    [Id(0)]
    public required RapInvocation[] Calls { get; init; }
}
