using Orleans;
using Orleans.Concurrency;

namespace OrleansRpc.Server;

/// <summary>
/// A worker of one function group (see <see cref="IFunctionGroupGrain"/>). Non-reentrant, as every stateless worker: a
/// synchronous call occupies it until it is answered; async calls come in through the <c>[AlwaysInterleave]</c> method
/// and never block it. The number of workers per silo is <see cref="RapServerOptions.MaxLocalWorkers"/>.
/// </summary>
[StatelessWorker]
public sealed class FunctionGroupGrain(RapFunctionExecutor executor) : Grain, IFunctionGroupGrain
{
    public ValueTask<RapReply> InvokeAsync(RapInvocation invocation, CancellationToken cancellationToken)
        => executor.InvokeAsync(invocation, session: null, cancellationToken);

    public ValueTask<RapReplyBatch> InvokeBatchAsync(RapInvocationBatch batch, CancellationToken cancellationToken)
        => executor.InvokeBatchAsync(batch, cancellationToken);

    public ValueTask<RapReply> InvokeInterleavedAsync(RapInvocation invocation, CancellationToken cancellationToken)
        => executor.InvokeAsync(invocation, session: null, cancellationToken);
}
