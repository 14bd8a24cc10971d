namespace OrleansRpc.Gateway.Tests.Transcripts;

/// <summary>One recorded msgpack object of a transcript (proxy notes are dropped when loading).</summary>
internal sealed record TranscriptLine(int Conn, bool ClientToServer, double TimeMs, byte[] Bytes);
