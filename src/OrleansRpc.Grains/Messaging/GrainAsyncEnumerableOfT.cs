using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Messaging;

/// <summary>Holds one <c>IAsyncEnumerable</c> grain call until it is enumerated (each enumeration is a new call).</summary>
internal sealed class GrainAsyncEnumerable<TGrain, TState, TItem>(
    GrainRuntime runtime,
    GrainReference reference,
    GrainMethod method,
    TState state,
    Func<TGrain, TState, CancellationToken, IAsyncEnumerable<TItem>> body,
    GrainCallOptions options,
    int maxBatchSize) : GrainAsyncEnumerable<TItem>
    where TGrain : class
{
    public override GrainAsyncEnumerable<TItem> WithBatchSize(int maxBatchSize) =>
        new GrainAsyncEnumerable<TGrain, TState, TItem>(runtime, reference, method, state, body, options, maxBatchSize);

    public override IAsyncEnumerator<TItem> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        new GrainAsyncEnumerator<TGrain, TState, TItem>(runtime, reference, method, state, body, options, maxBatchSize, cancellationToken);
}
