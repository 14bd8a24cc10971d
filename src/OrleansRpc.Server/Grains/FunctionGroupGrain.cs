using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Grains;
using OrleansRpc.Grains.Concurrency;

namespace OrleansRpc.Server;

/// <summary>
/// Runs the pre-bound invoker of a function inside a grain turn (see <see cref="IFunctionGroupGrain"/>).
/// Reentrant: an activation interleaves calls at their awaits, so a slow async function (rap: "other calls keep
/// flowing") does not hold a worker; the worker pool still bounds the synchronous parts.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class FunctionGroupGrain : Grain, IFunctionGroupGrain
{
    private readonly RapDispatcher _dispatcher;

    public FunctionGroupGrain() => _dispatcher = ServiceProvider.GetRequiredService<RapDispatcher>();

    public ValueTask<RapCallResult> InvokeAsync(RapGrainCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        return _dispatcher.ExecuteAsync(call.Function, call.Context, call.Arguments, call.Output, cancellationToken);
    }
}
