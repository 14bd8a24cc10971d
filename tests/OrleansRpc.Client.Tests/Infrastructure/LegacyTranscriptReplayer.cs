using System.Buffers;
using System.Collections.Concurrent;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Testing;

namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>
/// The v0.5.3.8 counterpart of <see cref="HeadTranscriptReplayer"/>: plays the recorded server frames (answers matched
/// by msg_id, channel frames by channel_id, pings by position) and compares each client frame with the recorded one
/// after replacing msg_id, host, request_id, session_id and channel_id with ours (bodies decrypted under crypto).
/// </summary>
internal sealed class LegacyTranscriptReplayer
{
    private readonly RapCryptoKey? _key;
    private readonly List<TranscriptEntry> _requests;
    private readonly RecordedFrameQueue<(TranscriptEntry Entry, int GlobalNeed, string? Key, int KeyNeed)> _serverFrames = new();
    private readonly FrameMatchLog _log;
    private readonly Dictionary<long, long> _msgIds = [];
    private readonly Dictionary<string, string> _channelIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _sentPerKey = new(StringComparer.Ordinal);
    private readonly TranscriptEntry? _pongTemplate;
    private readonly Lock _lock = new();
    private int _received;

    public LegacyTranscriptReplayer(Transcript transcript, RapCryptoKey? key = null)
    {
        _log = new FrameMatchLog(transcript.Name);
        _key = key;
        var entries = transcript.Entries;
        _requests = [.. entries.Where(e => e.ClientToServer && e.Type != 103)];
        _pongTemplate = entries.FirstOrDefault(e => e.ClientToServer && e.Type == 103);
        var global = 0;
        var perKey = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var frameKey = Key(entry);
            if (entry.ClientToServer)
            {
                if (entry.Type != 103)
                {
                    global++;
                    if (frameKey is not null)
                    {
                        perKey[frameKey] = perKey.GetValueOrDefault(frameKey) + 1;
                    }
                }

                continue;
            }

            _serverFrames.Add((entry, global, frameKey, frameKey is null ? 0 : perKey.GetValueOrDefault(frameKey)), frameKey);
        }
    }

    public ConcurrentQueue<string> Mismatches => _log.Mismatches;

    public int Compared => _log.Compared;

    public IReadOnlyList<TranscriptEntry> Requests => [.. _requests.Select(Plain)];

    /// <summary>The recorded answer to a recorded call (body decrypted).</summary>
    public TranscriptEntry? AnswerTo(long recordedMsgId) =>
        _serverFrames.Frames.Select(f => f.Entry).Where(e => e.Type is 201 or 100 && e.Id == recordedMsgId).Select(Plain).FirstOrDefault();

    public async Task HandleAsync(FakeConnection connection, ServerFrame frame)
    {
        if (frame.Type == 103)
        {
            if (_pongTemplate is not null)
            {
                Compare("pong", Patch(_pongTemplate, frame), Normalize(frame));
            }

            return;
        }

        int index;
        TranscriptEntry recorded;
        lock (_lock)
        {
            index = _received++;
            if (index >= _requests.Count)
            {
                _log.Report($"extra client frame #{index}: {frame}");
                return;
            }

            recorded = _requests[index];
            if (recorded.Type == 101)
            {
                _msgIds.TryAdd(recorded.Id, frame.Id);
            }
            else if (ChannelId(recorded.Header) is { } recordedChannel && frame.Frame.Header.ChannelId is { } ourChannel)
            {
                _channelIds.TryAdd(recordedChannel, ourChannel);
            }

            if (Key(recorded) is { } key)
            {
                _sentPerKey[key] = _sentPerKey.GetValueOrDefault(key) + 1;
            }
        }

        Compare($"frame #{index} ({recorded.Value})", Patch(recorded, frame), Normalize(frame));
        await SendReadyAsync(connection);
    }

    private Task SendReadyAsync(FakeConnection connection) => _serverFrames.SendReadyAsync(_lock, IsReady, f => Outgoing(f.Entry), connection.SendAsync);

    private bool IsReady((TranscriptEntry Entry, int GlobalNeed, string? Key, int KeyNeed) frame) => frame.Key is null
        ? _received >= frame.GlobalNeed
        : _sentPerKey.GetValueOrDefault(frame.Key) >= frame.KeyNeed && Mapped(frame.Entry);

    private bool Mapped(TranscriptEntry entry) => entry.Type is 201 or 100
        ? _msgIds.ContainsKey(entry.Id)
        : ChannelId(entry.Header) is not { } channel || _channelIds.ContainsKey(channel);

    private byte[] Outgoing(TranscriptEntry entry)
    {
        var value = entry.Value;
        if (entry.Type is 201 or 100 && _msgIds.TryGetValue(entry.Id, out var ours))
        {
            value = MessagePackPatch.WithItem(value, 1, ours);
        }

        if (ChannelId(entry.Header) is { } channel && _channelIds.TryGetValue(channel, out var ourChannel))
        {
            value = MessagePackPatch.WithItem(value, 4, MessagePackPatch.WithEntry(entry.Value[4], "channel_id", ourChannel));
        }

        if (_key is not null && entry.Value[5].Kind == MessagePackValueKind.Binary)
        {
            var plain = Open(entry.Value[5]);
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            value = MessagePackPatch.WithItem(value, 5, RapCryptoEnvelope.Seal(_key, new ReadOnlySequence<byte>(plain.ToArray()), now, RapCryptoEnvelope.NewNonce(now))!);
        }

        return value.ToArray();
    }

    private byte[] Patch(TranscriptEntry recorded, ServerFrame ours)
    {
        var value = MessagePackPatch.WithItem(recorded.Value, 1, ours.Id);
        var header = recorded.Value[4];
        var ourHeader = ours.Value[4];
        foreach (var variable in new[] { "host", "request_id", "session_id", "channel_id" })
        {
            if (header.TryGetValue(variable, out _) && ourHeader.TryGetValue(variable, out var ourValue))
            {
                header = MessagePackPatch.WithEntry(header, variable, ourValue);
            }
        }

        value = MessagePackPatch.WithItem(value, 4, header);
        if (_key is not null && recorded.Value[5].Kind == MessagePackValueKind.Binary)
        {
            value = MessagePackPatch.WithItem(value, 5, Open(recorded.Value[5]));
        }

        return value.ToArray();
    }

    private byte[] Normalize(ServerFrame ours) =>
        _key is not null && ours.Value[5].Kind == MessagePackValueKind.Binary
            ? MessagePackPatch.WithItem(ours.Value, 5, Open(ours.Value[5])).ToArray()
            : ours.Bytes;

    private TranscriptEntry Plain(TranscriptEntry entry) =>
        _key is not null && entry.Value[5].Kind == MessagePackValueKind.Binary
            ? entry with { Value = MessagePackPatch.WithItem(entry.Value, 5, Open(entry.Value[5])) }
            : entry;

    private MessagePackValue Open(MessagePackValue bin)
    {
        if (!RapCryptoEnvelope.TryOpen(_key!, bin.AsBinary().Span, out var content))
        {
            throw new InvalidOperationException("Could not open an envelope with the transcript key.");
        }

        return MessagePackValue.Parse(content.Body);
    }

    private static string? Key(TranscriptEntry entry) => entry.Type switch
    {
        101 or 201 or 100 => "m:" + entry.Id,
        102 or 202 => ChannelId(entry.Header) is { } channel ? "c:" + channel : null,
        _ => null,
    };

    private static string? ChannelId(MessagePackValue header) =>
        header.Kind == MessagePackValueKind.Map && header.TryGetValue("channel_id", out var id) && id.Kind == MessagePackValueKind.String ? id.AsString() : null;

    private void Compare(string what, byte[] expected, byte[] actual) => _log.Compare(what, expected, actual);
}
