using System.Buffers;
using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Grains;
using OrleansRpc.Grains.Concurrency;

namespace OrleansRpc.Server;

/// <summary>
/// A worker of one function group (see <see cref="IFunctionGroupGrain"/>). Non-reentrant, as every stateless
/// worker: a synchronous call occupies it for its whole run; async calls come in through the
/// <c>[AlwaysInterleave]</c> method and never block it. The run timeout is the grain call's response timeout.
/// </summary>
[StatelessWorker]
public sealed class FunctionGroupGrain : Grain, IFunctionGroupGrain
{
    private readonly RapDispatcher _dispatcher;

    public FunctionGroupGrain() => _dispatcher = ServiceProvider.GetRequiredService<RapDispatcher>();

    public ValueTask<RapCallResult> InvokeAsync(
        RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output, CancellationToken cancellationToken)
        => _dispatcher.RunInTurn(function, context, arguments, output, cancellationToken);

    public ValueTask<RapCallResult> InvokeInterleavedAsync(
        RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output, CancellationToken cancellationToken)
        => _dispatcher.RunInTurn(function, context, arguments, output, cancellationToken);
}
