namespace OrleansRpc.Server;

/// <summary>How a registered function is driven over the wire.</summary>
public enum RapFunctionKind
{
    /// <summary>A unary function: one request, one answer (sync, <see cref="Task"/> or <see cref="ValueTask"/>).</summary>
    Normal = 0,

    /// <summary>An async generator (<see cref="IAsyncEnumerable{T}"/>): HEAD drives it as a channel, 0.5.3.8 by call ids.</summary>
    Generator = 1,

    /// <summary>A channel handler: a single <see cref="IRapChannel"/> parameter.</summary>
    Channel = 2,
}
