namespace OrleansRpc.Server;

/// <summary>What <see cref="RapGeneratorStream.MoveNextAsync"/> produced.</summary>
public enum RapGeneratorStep
{
    /// <summary>An item was written to the output buffer.</summary>
    Item,

    /// <summary>The generator is exhausted (0.5.3.8: status 301; HEAD: DROP).</summary>
    Completed,

    /// <summary>The generator raised or did not bind; see <see cref="RapGeneratorStream.Failure"/>.</summary>
    Failed,
}
