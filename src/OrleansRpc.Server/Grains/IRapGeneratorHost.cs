using Orleans;

namespace OrleansRpc.Server;

/// <summary>
/// A grain that runs rap async generators: an Orleans streaming method (<c>IAsyncEnumerable</c> grain method,
/// pull-based, batched, bounded). The enumerator lives on one activation for the generator's whole run, so it is hosted
/// by a keyed grain (<see cref="IGeneratorGrain"/>, or the caller's <see cref="ISessionGrain"/> when the generator
/// takes a <see cref="RapSession"/>), never by a stateless worker.
/// </summary>
[Alias("orleansrpc.IRapGeneratorHost")]
public interface IRapGeneratorHost : IGrain
{
    /// <summary>
    /// Binds the arguments and runs the generator: chunks of encoded items as they are produced, ending with a chunk
    /// that carries the failure when the generator raised or its arguments did not bind. Disposing the enumerator (the
    /// client dropped, the connection closed) cancels the generator and disposes it.
    /// </summary>
    [Alias("run-generator")]
    IAsyncEnumerable<RapGeneratorChunk> RunGeneratorAsync(RapInvocation invocation, CancellationToken cancellationToken);
}
