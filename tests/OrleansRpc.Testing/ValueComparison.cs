namespace OrleansRpc.Testing;

/// <summary>What a custom rule says about one pair of values.</summary>
public enum ValueComparison
{
    /// <summary>No opinion: compare structurally.</summary>
    Default,

    /// <summary>Accept (the value is inherently variable and its shape was checked by the rule).</summary>
    Equal,

    /// <summary>Reject.</summary>
    Different,
}
