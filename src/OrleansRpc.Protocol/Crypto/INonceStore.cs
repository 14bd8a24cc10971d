namespace OrleansRpc.Protocol.Crypto;

/// <summary>
/// Remembers crypto nonces to refuse replays (§2.13: "already seen in the last 120 s", shared by all connections).
/// The in-memory implementation serves one process; a shared implementation can serve a cluster.
/// </summary>
public interface INonceStore
{
    /// <summary>
    /// Records <paramref name="nonce"/> until <paramref name="now"/> + <paramref name="lifetime"/>. Returns
    /// <see langword="false"/> when it is already recorded and not yet expired (a replay).
    /// </summary>
    bool TryAdd(string nonce, DateTimeOffset now, TimeSpan lifetime);
}
