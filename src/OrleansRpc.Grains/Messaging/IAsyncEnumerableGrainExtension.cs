using OrleansRpc.Grains.Concurrency;

namespace OrleansRpc.Grains.Messaging;

/// <summary>
/// Names the enumeration steps of <c>IAsyncEnumerable</c> grain calls, as Orleans' extension does; only its
/// method descriptors are used (both <c>[AlwaysInterleave]</c>), nothing implements it.
/// </summary>
internal interface IAsyncEnumerableGrainExtension
{
    [AlwaysInterleave]
    ValueTask<bool> MoveNext(Guid requestId, CancellationToken cancellationToken);

    [AlwaysInterleave]
    ValueTask DisposeAsync(Guid requestId);
}
