namespace OrleansRpc.Client;

/// <summary>Where a <see cref="RapChannel"/> is in its life.</summary>
public enum RapChannelState
{
    /// <summary>DECLARE sent, answer not yet received.</summary>
    Opening,

    /// <summary>Messages flow both ways.</summary>
    Open,

    /// <summary>The server sent DROP (its function returned or it closed the channel).</summary>
    ClosedByServer,

    /// <summary>This side closed the channel.</summary>
    ClosedByClient,

    /// <summary>The server reported an error, or the connection ended.</summary>
    Faulted,
}
