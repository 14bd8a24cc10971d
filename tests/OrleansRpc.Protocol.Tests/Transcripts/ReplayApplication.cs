using OrleansRpc.Protocol.Connections;

namespace OrleansRpc.Protocol.Tests.Transcripts;

/// <summary>
/// The application side during a replay: it only remembers what the state machine asked for (tokens by wire id /
/// channel) so the replay can answer each request the way the recording shows. Function semantics are not the
/// protocol's business; every status code, header, id and frame layout still comes from the state machine.
/// </summary>
internal sealed class ReplayApplication : IRapConnectionHandler
{
    public Dictionary<long, Queue<PendingCall>> Calls { get; } = [];

    public Dictionary<long, long> HeadChannels { get; } = [];

    public Dictionary<string, long> LegacyChannels { get; } = new(StringComparer.Ordinal);

    public HashSet<long> AcceptedChannels { get; } = [];

    public List<string> Events { get; } = [];

    public RapConnectionCloseReason? ClosedWith { get; private set; }

    public int OutputSignals { get; private set; }

    public void OnCall(RapServerConnection connection, in RapCallRequest request) => Add(request);

    public void OnGeneratorNext(RapServerConnection connection, in RapCallRequest request) => Add(request);

    public void OnChannelOpen(RapServerConnection connection, in RapChannelOpenRequest request)
    {
        if (request.Version == RapVersion.Head)
        {
            HeadChannels[request.Id] = request.Token;
        }
        else
        {
            LegacyChannels[request.Header.ChannelId!] = request.Token;
        }
    }

    public void OnChannelMessage(RapServerConnection connection, in RapChannelMessage message) => Events.Add("msg " + message.Token);

    public void OnChannelClosed(RapServerConnection connection, long channelToken, RapChannelCloseReason reason)
    {
        Events.Add("closed " + channelToken + " " + reason);
        Forget(channelToken);
    }

    public void OnConnectionClosed(RapServerConnection connection, RapConnectionCloseReason reason) => ClosedWith = reason;

    public void OnOutputAvailable(RapServerConnection connection) => OutputSignals++;

    public bool TryTakeCall(long wireId, out PendingCall call)
    {
        call = default;
        if (!Calls.TryGetValue(wireId, out var queue) || queue.Count == 0)
        {
            return false;
        }

        call = queue.Dequeue();
        return true;
    }

    public void Forget(long channelToken)
    {
        AcceptedChannels.Remove(channelToken);
        foreach (var entry in HeadChannels.Where(e => e.Value == channelToken).ToArray())
        {
            HeadChannels.Remove(entry.Key);
        }

        foreach (var entry in LegacyChannels.Where(e => e.Value == channelToken).ToArray())
        {
            LegacyChannels.Remove(entry.Key);
        }
    }

    private void Add(in RapCallRequest request)
    {
        if (!Calls.TryGetValue(request.Id, out var queue))
        {
            Calls[request.Id] = queue = new Queue<PendingCall>();
        }

        queue.Enqueue(new PendingCall(request.Token, request.GeneratorId));
    }
}

/// <summary>A call the state machine handed over and the replay has not answered yet.</summary>
internal readonly record struct PendingCall(long Token, long GeneratorId);
