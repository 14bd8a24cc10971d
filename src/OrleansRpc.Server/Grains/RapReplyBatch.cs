using Orleans;

namespace OrleansRpc.Server;

/// <summary>The answers of a <see cref="RapInvocationBatch"/>, in its order.</summary>
[GenerateSerializer, Immutable, Alias("orleansrpc.reply-batch")]
public sealed class RapReplyBatch
{
    [Id(0)]
    public required RapReply[] Replies { get; init; }
}
