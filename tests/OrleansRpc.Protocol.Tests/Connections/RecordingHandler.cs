using System.Buffers;
using OrleansRpc.Protocol.Connections;

namespace OrleansRpc.Protocol.Tests.Connections;

/// <summary>Records what the state machine asks of the application.</summary>
internal sealed class RecordingHandler : IRapConnectionHandler
{
    public List<CallInfo> Calls { get; } = [];

    public List<CallInfo> GeneratorSteps { get; } = [];

    public List<(long Token, long Id, string Group, string Name, byte[] Metadata)> ChannelOpens { get; } = [];

    /// <summary>The connection's DECLARE as seen by each <see cref="OnChannelOpen"/>.</summary>
    public List<RapClientDeclaration?> ChannelOpenDeclarations { get; } = [];

    public List<(long Token, byte[] Body)> ChannelMessages { get; } = [];

    public List<(long Token, RapChannelCloseReason Reason)> ChannelCloses { get; } = [];

    public List<RapConnectionCloseReason> ConnectionCloses { get; } = [];

    public int OutputSignals { get; private set; }

    public void OnCall(RapServerConnection connection, in RapCallRequest request) =>
        Calls.Add(CallInfo.From(request) with { Declaration = connection.ClientDeclaration });

    public void OnGeneratorNext(RapServerConnection connection, in RapCallRequest request) => GeneratorSteps.Add(CallInfo.From(request));

    public void OnChannelOpen(RapServerConnection connection, in RapChannelOpenRequest request)
    {
        ChannelOpens.Add((request.Token, request.Id, request.Group, request.Name, request.Metadata.ToArray()));
        ChannelOpenDeclarations.Add(connection.ClientDeclaration);
    }

    public void OnChannelMessage(RapServerConnection connection, in RapChannelMessage message) => ChannelMessages.Add((message.Token, message.Body.ToArray()));

    public void OnChannelClosed(RapServerConnection connection, long channelToken, RapChannelCloseReason reason) => ChannelCloses.Add((channelToken, reason));

    public void OnConnectionClosed(RapServerConnection connection, RapConnectionCloseReason reason) => ConnectionCloses.Add(reason);

    public void OnOutputAvailable(RapServerConnection connection) => OutputSignals++;
}

/// <summary>A copy of a call request (its slices are only valid during the callback).</summary>
internal sealed record CallInfo(long Token, long Id, string Group, string Name, byte[] Positional, byte[] Keywords, long GeneratorId, DateTimeOffset? Deadline, bool Encrypted, string? UserAgent,
    RapClientDeclaration? Declaration = null, OrleansRpc.Protocol.Frames.RapHeader? Header = null)
{
    public static CallInfo From(in RapCallRequest r) =>
        new(r.Token, r.Id, r.Group, r.Name, r.Positional.ToArray(), r.Keywords.ToArray(), r.GeneratorId, r.Deadline, r.IsEncrypted, r.Header.UserAgent, Header: r.Header);
}
