namespace OrleansRpc.Hosting;

/// <summary>
/// The host's readiness: <see cref="ReadinessState.Ready"/> only after every hosted service (the silo,
/// the gateway, Kestrel) has started and until the host begins to stop. The readiness probe reports it.
/// </summary>
public sealed class OrleansRpcReadiness
{
    private int _state = (int)ReadinessState.Starting;

    /// <summary>The current state.</summary>
    public ReadinessState State => (ReadinessState)Volatile.Read(ref _state);

    /// <summary>True while <see cref="State"/> is <see cref="ReadinessState.Ready"/>.</summary>
    public bool IsReady => State == ReadinessState.Ready;

    /// <summary>Raised after every state change, with the new state.</summary>
    public event Action<ReadinessState>? Changed;

    /// <summary>Starting → Ready (a host that already began to stop stays not ready).</summary>
    internal bool MarkReady() => Transition(ReadinessState.Starting, ReadinessState.Ready);

    /// <summary>Starting or Ready → Draining.</summary>
    internal bool MarkDraining() =>
        Transition(ReadinessState.Ready, ReadinessState.Draining) || Transition(ReadinessState.Starting, ReadinessState.Draining);

    /// <summary>Any state → Stopped.</summary>
    internal void MarkStopped()
    {
        if (Interlocked.Exchange(ref _state, (int)ReadinessState.Stopped) != (int)ReadinessState.Stopped)
        {
            Changed?.Invoke(ReadinessState.Stopped);
        }
    }

    private bool Transition(ReadinessState from, ReadinessState to)
    {
        if (Interlocked.CompareExchange(ref _state, (int)to, (int)from) != (int)from)
        {
            return false;
        }

        Changed?.Invoke(to);
        return true;
    }
}
