namespace OrleansRpc.Server;

/// <summary>The kind of frame that addresses a function (rap looks functions up by kind, group and name).</summary>
public enum RapFrameKind
{
    /// <summary>A unary request (HEAD 101, 0.5.3.8 101; 0.5.3.8 generator steps too).</summary>
    Call,

    /// <summary>A channel DECLARE (HEAD 102 also drives async generators).</summary>
    Channel,
}
