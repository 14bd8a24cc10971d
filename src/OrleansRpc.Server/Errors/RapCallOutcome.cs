namespace OrleansRpc.Server;

/// <summary>How a dispatched call ended.</summary>
public enum RapCallOutcome
{
    /// <summary>The result was written to the output buffer.</summary>
    Success,

    /// <summary>A rap error with a status code and a str body (<see cref="RapCallResult.ErrorKind"/>).</summary>
    StatusError,

    /// <summary>
    /// The function raised (or hit the run timeout): HEAD answers 301 <c>[name, message]</c>,
    /// 0.5.3.8 answers 200 <c>{"call_id", "exc", "exc_info"}</c>.
    /// </summary>
    FunctionError,
}
