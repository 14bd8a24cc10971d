using Orleans;
using Orleans.Concurrency;

namespace OrleansRpc.Server;

/// <summary>
/// The grain that hosts the unary functions of one rap group (key = group name): an Orleans
/// <c>[StatelessWorker]</c>, activated on the silo that calls it, up to <see cref="RapServerOptions.MaxLocalWorkers"/>
/// activations per group and silo.
/// </summary>
[Alias("orleansrpc.IFunctionGroupGrain")]
public interface IFunctionGroupGrain : IGrainWithStringKey
{
    /// <summary>
    /// Binds, runs and encodes one call of a synchronous (def-style) function. Not interleaved: a worker runs one at a
    /// time, so a group's synchronous calls run at most <see cref="RapServerOptions.MaxLocalWorkers"/> at once per silo.
    /// </summary>
    [Alias("invoke")]
    ValueTask<RapReply> InvokeAsync(RapInvocation invocation, CancellationToken cancellationToken);

    /// <summary>
    /// Several calls of synchronous functions that run inline (proven cheap), one after the other in one turn; the
    /// answers come back together. The gateway batches only such calls, so none waits long for another.
    /// </summary>
    [Alias("invoke-batch")]
    ValueTask<RapReplyBatch> InvokeBatchAsync(RapInvocationBatch batch, CancellationToken cancellationToken);

    /// <summary>The same for an async function: interleaves with every other call, so awaiting user code never holds a worker.</summary>
    [AlwaysInterleave, Alias("invoke-interleaved")]
    ValueTask<RapReply> InvokeInterleavedAsync(RapInvocation invocation, CancellationToken cancellationToken);
}
