using OrleansRpc.MessagePack;

namespace OrleansRpc.Client;

/// <summary>Per-call settings.</summary>
public sealed class RapCallOptions
{
    /// <summary>Timeout of this call; <see langword="null"/> uses <see cref="RapClientOptions.DefaultCallTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Absolute deadline; sent as <c>X-rap-deadline</c> (HEAD) and also bounds the wait.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>User headers added to the request header (str keys; never the protocol's own keys).</summary>
    public IReadOnlyList<KeyValuePair<string, MessagePackValue>>? Headers { get; init; }

    /// <summary>Convenience: options with just a timeout.</summary>
    public static RapCallOptions WithTimeout(TimeSpan timeout) => new() { Timeout = timeout };
}
