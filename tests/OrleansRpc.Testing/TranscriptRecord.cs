namespace OrleansRpc.Testing;

/// <summary>One line of a golden transcript: one msgpack object that crossed the recording proxy.</summary>
/// <param name="Connection">TCP connection number within the file.</param>
/// <param name="Direction">Who sent it.</param>
/// <param name="TimeMs">Milliseconds since the proxy started, when the last byte arrived.</param>
/// <param name="Bytes">The exact bytes (empty for a proxy note).</param>
/// <param name="Note">The proxy's remark when the line is not traffic, else null.</param>
/// <param name="LineNumber">1-based line in the file, for messages.</param>
public sealed record TranscriptRecord(int Connection, TranscriptDirection Direction, double TimeMs, byte[] Bytes, string? Note, int LineNumber)
{
    /// <summary>Whether this line is a proxy note rather than traffic.</summary>
    public bool IsNote => Note is not null;

    /// <summary>Lowercase hex of <see cref="Bytes"/>.</summary>
    public string Hex => Convert.ToHexStringLower(Bytes);
}
