namespace OrleansRpc.Testing;

/// <summary>One difference found by <see cref="MessagePackValueComparer"/>.</summary>
/// <param name="Path">Where, e.g. <c>/[4]/status_code</c> (array index in brackets, map key after '/').</param>
/// <param name="Expected">The expected value, rendered.</param>
/// <param name="Actual">The actual value, rendered.</param>
public sealed record ValueDifference(string Path, string Expected, string Actual)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: expected {Expected}, got {Actual}";
}
