using Orleans;

namespace OrleansRpc.Server;

/// <summary>
/// Items of an async generator that were ready together, encoded back to back (item <c>i</c> ends at
/// <c>Ends[i]</c>), or the generator's failure. One element of the generator grain's <c>IAsyncEnumerable</c>:
/// Orleans moves every chunk that is ready in one response, and the producer runs only as far ahead as the
/// consumer pulls.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansrpc.generator-chunk")]
public sealed class RapGeneratorChunk
{
    [Id(0)]
    public byte[] Data { get; init; } = [];

    [Id(1)]
    public int[] Ends { get; init; } = [];

    /// <summary>Set on the last chunk of a generator that raised (or failed to bind its arguments).</summary>
    [Id(2)]
    public RapReply? Failure { get; init; }

    public int Count => Ends.Length;

    /// <summary>The msgpack encoding of item <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            int start = index == 0 ? 0 : Ends[index - 1];
            return Data.AsSpan(start, Ends[index] - start);
        }
    }
}
