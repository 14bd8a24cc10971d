namespace OrleansRpc.Grains;

/// <summary>
/// Overrides the response timeout of every grain call made in this async flow (typed proxies included) until
/// disposed: <c>using (ResponseTimeoutScope.Override(runTimeout)) await grain.CallAsync(…);</c>.
/// <c>GrainCallOptions.ResponseTimeout</c> still wins for low-level calls that set it.
/// </summary>
public readonly struct ResponseTimeoutScope : IDisposable
{
    private static readonly AsyncLocal<TimeSpan?> s_current = new();
    private readonly TimeSpan? _previous;

    private ResponseTimeoutScope(TimeSpan? previous) => _previous = previous;

    /// <summary>The override in force, if any.</summary>
    public static TimeSpan? Current => s_current.Value;

    public static ResponseTimeoutScope Override(TimeSpan responseTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(responseTimeout, TimeSpan.Zero);
        var scope = new ResponseTimeoutScope(s_current.Value);
        s_current.Value = responseTimeout;
        return scope;
    }

    public void Dispose() => s_current.Value = _previous;
}
