namespace OrleansRpc.Protocol.Crypto;

/// <summary>rap's own rule, the default: refuse envelopes older than the maximum age; future timestamps are accepted.</summary>
public sealed class MaxAgeCryptoTimeWindow : ICryptoTimeWindow
{
    /// <summary>The shared instance (the type has no state).</summary>
    public static MaxAgeCryptoTimeWindow Instance { get; } = new();

    /// <inheritdoc />
    public bool IsAcceptable(long timestampSeconds, DateTimeOffset now, TimeSpan maxAge) =>
        now.ToUnixTimeSeconds() - timestampSeconds <= (long)maxAge.TotalSeconds;
}
