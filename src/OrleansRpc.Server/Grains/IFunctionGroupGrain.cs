using OrleansRpc.Grains;

namespace OrleansRpc.Server;

/// <summary>
/// The grain that hosts the functions of one rap group (key = group name). A stateless worker: activated
/// locally, up to the worker limit, each activation running one call at a time.
/// </summary>
public interface IFunctionGroupGrain : IGrainWithStringKey
{
    /// <summary>Binds, runs (under the run timeout) and encodes one call of a function of this group.</summary>
    ValueTask<RapCallResult> InvokeAsync(RapGrainCall call, CancellationToken cancellationToken);
}
