using System.Buffers;
using OrleansRpc.Grains;
using OrleansRpc.Grains.Concurrency;

namespace OrleansRpc.Server;

/// <summary>
/// The grain that hosts the functions of one rap group (key = group name). A stateless worker: activated
/// locally, up to <c>RapServerOptions.MaxLocalWorkers</c> activations per group.
/// </summary>
public interface IFunctionGroupGrain : IGrainWithStringKey
{
    /// <summary>
    /// Binds, runs and encodes one call of a synchronous (def-style) function inside the turn: a worker runs one
    /// at a time, so a group's synchronous calls run at most <c>RapServerOptions.MaxLocalWorkers</c> at once.
    /// </summary>
    ValueTask<RapCallResult> InvokeAsync(RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output, CancellationToken cancellationToken);

    /// <summary>
    /// The same for an async function. Interleaves with every other call of the worker (rap: other calls keep
    /// flowing while one awaits), so awaiting user code never holds a worker.
    /// </summary>
    [AlwaysInterleave]
    ValueTask<RapCallResult> InvokeInterleavedAsync(RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output, CancellationToken cancellationToken);
}
