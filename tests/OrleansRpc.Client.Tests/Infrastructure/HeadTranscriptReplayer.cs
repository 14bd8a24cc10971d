using System.Buffers;
using System.Collections.Concurrent;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Testing;

namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>
/// Plays the server side of a recorded HEAD transcript against our client over a real socket: answers DECLARE and
/// pings, sends each recorded server frame once our client has sent the client frames it depended on (per correlation
/// id, ids mapped by order of first use), and compares every frame our client sends with the recorded client frame,
/// byte for byte after replacing the values that legitimately vary (ids, host port, deadline, crypto ciphertext).
/// The recording is of one connection, replayed on the first connection that declares: recorded frames only ever go
/// out there, as a real server answers on the connection that asked. A later connection (our pool replaces a
/// connection the server shut down right away, which the recorded client did not do) gets DECLARE and ping answers only.
/// </summary>
internal sealed class HeadTranscriptReplayer
{
    private readonly RapCryptoKey? _key;
    private readonly List<TranscriptEntry> _requests;
    private readonly RecordedFrameQueue<(TranscriptEntry Entry, int GlobalNeed, int IdNeed)> _serverFrames = new();
    private readonly FrameMatchLog _log;
    private readonly Dictionary<long, long> _recordedToOurs = [];
    private readonly Dictionary<long, long> _oursToRecorded = [];
    private readonly Dictionary<long, int> _sentPerId = [];
    private readonly Lock _lock = new();
    private readonly TranscriptEntry _declare;
    private readonly TranscriptEntry _declareAnswer;
    private readonly TranscriptEntry? _pingTemplate;
    private readonly TranscriptEntry? _serverPingAnswer;
    private readonly TaskCompletionSource _reconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FakeConnection? _replayed;
    private int _received;

    public HeadTranscriptReplayer(Transcript transcript, RapCryptoKey? key = null)
    {
        _log = new FrameMatchLog(transcript.Name);
        _key = key;
        var entries = transcript.Entries;
        _requests = [.. entries.Where(e => e.ClientToServer && !e.IsEvent)];
        _declare = entries.First(e => e.ClientToServer && e.Target == "/_event/DECLARE");
        _declareAnswer = entries.First(e => !e.ClientToServer && e.Type == 103 && e.Id == _declare.Id);
        _pingTemplate = entries.FirstOrDefault(e => e.ClientToServer && e.Type == 103 && e.Target == "/_event/ping");
        _serverPingAnswer = entries.FirstOrDefault(e => e.ClientToServer && e.Type == 203);
        var global = 0;
        var perId = new Dictionary<long, int>();
        foreach (var entry in entries)
        {
            if (entry.ClientToServer)
            {
                if (!entry.IsEvent)
                {
                    global++;
                    perId[entry.Id] = perId.GetValueOrDefault(entry.Id) + 1;
                }

                continue;
            }

            // Calls and channel frames wait for their own id's client frames, in order; server events keep their place.
            if (entry.Type is 101 or 102)
            {
                _serverFrames.Add((entry, global, perId.GetValueOrDefault(entry.Id)), "id:" + entry.Id);
            }
            else if (entry.Type == 203)
            {
                _serverFrames.Add((entry, global, -1), null);
            }
        }
    }

    public ConcurrentQueue<string> Mismatches => _log.Mismatches;

    public int Compared => _log.Compared;

    /// <summary>Completes once a second connection has declared and been answered.</summary>
    public Task Reconnected => _reconnected.Task;

    /// <summary>Runs after a recorded server event went out, before the next recorded frame is taken (tests widen races with it).</summary>
    public Func<TranscriptEntry, Task>? AfterServerEvent { get; set; }

    /// <summary>The recorded client frames our client must reproduce (calls and channel frames), bodies decrypted.</summary>
    public IReadOnlyList<TranscriptEntry> Requests => [.. _requests.Select(Plain)];

    /// <summary>The recorded server frames (bodies decrypted) for a recorded call or channel id.</summary>
    public IReadOnlyList<TranscriptEntry> ServerFramesFor(long recordedId) =>
        [.. _serverFrames.Frames.Select(f => f.Entry).Where(e => e.Type is 101 or 102 && e.Id == recordedId).Select(Plain)];

    private TranscriptEntry Plain(TranscriptEntry entry) =>
        _key is not null && entry.Type is 101 or 102 && entry.Body.Kind == MessagePackValueKind.Binary
            ? entry with { Value = MessagePackPatch.WithItem(entry.Value, 3, Open(entry.Body)) }
            : entry;

    public async Task HandleAsync(FakeConnection connection, ServerFrame frame)
    {
        if (frame.Type == 103 && frame.Target == "/_event/DECLARE")
        {
            bool replayed;
            lock (_lock)
            {
                _replayed ??= connection;
                replayed = _replayed == connection;
            }

            Compare("DECLARE", Patch(_declare, frame), Normalize(frame));
            await connection.SendAsync(MessagePackPatch.WithItem(_declareAnswer.Value, 1, frame.Id).ToArray());
            if (replayed)
            {
                await SendReadyAsync();
            }
            else
            {
                _reconnected.TrySetResult();
            }

            return;
        }

        if (frame.Type == 103 && frame.Target == "/_event/ping")
        {
            if (_pingTemplate is not null)
            {
                Compare("ping", MessagePackPatch.WithItem(_pingTemplate.Value, 1, frame.Id).ToArray(), frame.Bytes);
            }

            await connection.SendAsync(Frames.Head(103, frame.Id, Frames.EmptyMap));
            return;
        }

        if (frame.Type == 203)
        {
            if (_serverPingAnswer is not null)
            {
                Compare("server ping answer", MessagePackPatch.WithItem(_serverPingAnswer.Value, 1, frame.Id).ToArray(), frame.Bytes);
            }

            return;
        }

        int index;
        TranscriptEntry recorded;
        lock (_lock)
        {
            if (connection != _replayed)
            {
                _log.Report($"client frame on a connection the recording does not have: {frame}");
                return;
            }

            index = _received++;
            if (index >= _requests.Count)
            {
                _log.Report($"extra client frame #{index}: {frame}");
                return;
            }

            recorded = _requests[index];
            if (!_recordedToOurs.ContainsKey(recorded.Id) && !_oursToRecorded.ContainsKey(frame.Id))
            {
                _recordedToOurs[recorded.Id] = frame.Id;
                _oursToRecorded[frame.Id] = recorded.Id;
            }
            else if (!_recordedToOurs.TryGetValue(recorded.Id, out var mapped) || mapped != frame.Id)
            {
                _log.Report($"frame #{index}: id {frame.Id} does not map to recorded id {recorded.Id}");
            }

            _sentPerId[recorded.Id] = _sentPerId.GetValueOrDefault(recorded.Id) + 1;
        }

        Compare($"frame #{index} ({recorded.Value})", Patch(recorded, frame), Normalize(frame));
        await SendReadyAsync();
    }

    /// <summary>Sends the recorded frames that became ready; only called from the replayed connection's frames, in order.</summary>
    private async Task SendReadyAsync()
    {
        var connection = _replayed!;
        TranscriptEntry? taken = null;
        await _serverFrames.SendReadyAsync(_lock, IsReady, f =>
        {
            taken = f.Entry;
            return Outgoing(f.Entry);
        }, async bytes =>
        {
            await connection.SendAsync(bytes);
            if (taken is { Type: 203 } serverEvent && AfterServerEvent is { } hook)
            {
                await hook(serverEvent);
            }
        });
    }

    private bool IsReady((TranscriptEntry Entry, int GlobalNeed, int IdNeed) frame) => frame.IdNeed < 0
        ? _received >= frame.GlobalNeed
        : _recordedToOurs.ContainsKey(frame.Entry.Id) && _sentPerId.GetValueOrDefault(frame.Entry.Id) >= frame.IdNeed;

    private byte[] Outgoing(TranscriptEntry entry)
    {
        var value = entry.Value;
        if (entry.Type is 101 or 102)
        {
            value = MessagePackPatch.WithItem(value, 1, _recordedToOurs[entry.Id]);
            if (_key is not null && entry.Body.Kind == MessagePackValueKind.Binary)
            {
                // Re-seal with a fresh timestamp and nonce: the client refuses stale or replayed envelopes.
                var plain = Open(entry.Body);
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                var sealedBody = RapCryptoEnvelope.Seal(_key, new ReadOnlySequence<byte>(plain.ToArray()), now, RapCryptoEnvelope.NewNonce(now))!;
                value = MessagePackPatch.WithItem(value, 3, sealedBody);
            }
        }

        return value.ToArray();
    }

    private byte[] Patch(TranscriptEntry recorded, ServerFrame ours)
    {
        var value = MessagePackPatch.WithItem(recorded.Value, 1, ours.Id);
        if (recorded.Type == 103 && recorded.Target == "/_event/DECLARE")
        {
            var clientInfo = recorded.Body["client_info"];
            var ourHost = ours.Body["client_info"]["host"];
            value = MessagePackPatch.WithItem(value, 3, MessagePackPatch.WithEntry(recorded.Body, "client_info", MessagePackPatch.WithEntry(clientInfo, "host", ourHost)));
        }

        if (recorded.Header.TryGetValue("X-rap-deadline", out _) && ours.Value[2].TryGetValue("X-rap-deadline", out var deadline))
        {
            value = MessagePackPatch.WithItem(value, 2, MessagePackPatch.WithEntry(recorded.Header, "X-rap-deadline", deadline));
        }

        if (_key is not null && recorded.Type is 101 or 102 && recorded.Body.Kind == MessagePackValueKind.Binary)
        {
            value = MessagePackPatch.WithItem(value, 3, Open(recorded.Body));
        }

        return value.ToArray();
    }

    private byte[] Normalize(ServerFrame ours)
    {
        if (_key is not null && ours.Type is 101 or 102 && ours.Body.Kind == MessagePackValueKind.Binary)
        {
            return MessagePackPatch.WithItem(ours.Value, 3, Open(ours.Body)).ToArray();
        }

        return ours.Bytes;
    }

    private MessagePackValue Open(MessagePackValue bin)
    {
        if (!RapCryptoEnvelope.TryOpen(_key!, bin.AsBinary().Span, out var content))
        {
            throw new InvalidOperationException("Could not open an envelope with the transcript key.");
        }

        return MessagePackValue.Parse(content.Body);
    }

    private void Compare(string what, byte[] expected, byte[] actual) => _log.Compare(what, expected, actual);
}
