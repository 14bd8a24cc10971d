using System.Runtime.CompilerServices;
using Orleans;
using Orleans.Concurrency;
using Orleans.Placement;

namespace OrleansRpc.Server;

/// <summary>
/// Hosts one generator run (<see cref="IGeneratorGrain"/>): a keyed activation, so every pull of the enumeration reaches
/// the enumerator it started; placed on the caller's silo when it can be. Deactivates once the generator has ended.
/// </summary>
[PreferLocalPlacement]
[Reentrant]
public sealed class GeneratorGrain(RapFunctionExecutor executor) : Grain, IGeneratorGrain
{
    public async IAsyncEnumerable<RapGeneratorChunk> RunGeneratorAsync(RapInvocation invocation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (RapGeneratorChunk chunk in executor.RunGeneratorAsync(invocation, session: null, cancellationToken).ConfigureAwait(true))
            {
                yield return chunk;
            }
        }
        finally
        {
            // One activation per run: nothing to keep once it has ended.
            DeactivateOnIdle();
        }
    }
}
