namespace OrleansRpc.Server;

/// <summary>Where a parameter's value comes from.</summary>
public enum RapParameterSource
{
    /// <summary>From the request (HEAD: by name; 0.5.3.8: positional when required, by name when it has a default).</summary>
    Wire,

    /// <summary>The call's <see cref="System.Threading.CancellationToken"/>.</summary>
    CancellationToken,

    /// <summary>The <see cref="RapCallContext"/>.</summary>
    CallContext,

    /// <summary>The <see cref="RapSession"/> of the call (null when the call has no session).</summary>
    Session,

    /// <summary>The <see cref="IRapChannel"/> of a channel handler.</summary>
    Channel,
}
