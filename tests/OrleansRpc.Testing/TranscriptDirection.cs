namespace OrleansRpc.Testing;

/// <summary>Who sent a recorded msgpack object.</summary>
public enum TranscriptDirection
{
    /// <summary>client → server (<c>c2s</c>).</summary>
    ClientToServer,

    /// <summary>server → client (<c>s2c</c>).</summary>
    ServerToClient,
}
