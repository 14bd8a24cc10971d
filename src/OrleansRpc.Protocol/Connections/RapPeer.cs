namespace OrleansRpc.Protocol.Connections;

/// <summary>The client's address as the server sees it (sent back in v0.5.3.8 <c>host</c> and HEAD <c>server_info</c>).</summary>
/// <param name="Host">IP text, e.g. <c>127.0.0.1</c>.</param>
/// <param name="Port">TCP port.</param>
public readonly record struct RapPeer(string Host, int Port);
