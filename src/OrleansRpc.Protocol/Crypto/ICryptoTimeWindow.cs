namespace OrleansRpc.Protocol.Crypto;

/// <summary>
/// Decides whether a crypto envelope's <c>timestamp</c> is recent enough (§2.13, §3.13: "now − timestamp ≤ 60 s").
/// The nonce-replay half of the envelope checks is <see cref="INonceStore"/>; replace this one to, for example,
/// also refuse timestamps far in the future or allow for known clock skew.
/// </summary>
public interface ICryptoTimeWindow
{
    /// <summary>
    /// Returns <see langword="true"/> when an envelope stamped <paramref name="timestampSeconds"/> (Unix seconds, as
    /// sent) is accepted at <paramref name="now"/>. <paramref name="maxAge"/> is the configured
    /// <see cref="Connections.RapConnectionOptions.CryptoMaxAge"/> (rap's <c>timeout</c>, changeable at run time).
    /// </summary>
    bool IsAcceptable(long timestampSeconds, DateTimeOffset now, TimeSpan maxAge);
}
