namespace OrleansRpc.Middleware.Connections;

/// <summary>How refused connections are ended (shared by the connection limits and the IP filter).</summary>
public sealed class RapRefusalOptions
{
    /// <summary>Answer a refused connection's first frame with its generation's close event and reason. Default true.</summary>
    public bool AnswerWithCloseEvent { get; set; } = true;

    /// <summary>How long a refused connection may take to send its first bytes before it is just closed. Default 2 s.</summary>
    public TimeSpan ReplyTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Most refused connections waiting at once for their first bytes; beyond it they are closed at once. Default 256.</summary>
    public int MaxPendingReplies { get; set; } = 256;
}
