namespace OrleansRpc.Protocol;

/// <summary>The two rap wire generations a connection can speak (RAP_PROTOCOL.md §0).</summary>
public enum RapVersion
{
    /// <summary>rap master (ca45158): 4-element frames, DECLARE handshake.</summary>
    Head = 1,

    /// <summary>rap 0.5.3.8 (the PyPI release): 6-element frames, server pings first.</summary>
    V0538 = 2,
}
