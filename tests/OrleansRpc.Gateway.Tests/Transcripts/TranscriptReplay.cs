using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using OrleansRpc.MessagePack;
using OrleansRpc.Testing;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Transcripts;

/// <summary>
/// Replays the client side of a golden transcript against a running server over real sockets and checks
/// that the server answers as recorded. Per connection: client frames are sent in recorded order; before
/// each one, every server frame recorded before it must have arrived (the client may have reacted to it).
/// Server frames are matched by request (HEAD: type + id; 0.5.3.8: num + msg_id, or channel id, or event
/// name), keeping order within a request; server pings are left out (their timing is the server's own).
/// </summary>
internal static class TranscriptReplay
{
    public static async Task RunAsync(TestCluster cluster, string version, string scenario, ReplayOptions? options = null)
    {
        options ??= new ReplayOptions();
        WireDialect dialect = WireDialect.For(version);
        var records = TranscriptReader.Read(TestData.Path("transcripts", version, scenario + ".jsonl")).Where(r => !r.IsNote).ToList();
        var connections = records.GroupBy(l => l.Connection).Select(g => g.ToList()).ToList();
        Task[] replays = connections.Select(c => ReplayConnectionAsync(cluster, dialect, c, options)).ToArray();
        await Task.WhenAll(replays);
        if (options.AfterLastClientFrame is not null && connections.Count > 1)
        {
            throw new NotSupportedException("AfterLastClientFrame is for single-connection scenarios.");
        }
    }

    private static async Task ReplayConnectionAsync(TestCluster cluster, WireDialect dialect, List<TranscriptRecord> lines, ReplayOptions options)
    {
        await using RawFrameClient client = options.ServerCertificate is { } certificate
            ? await RawFrameClient.ConnectTlsAsync(cluster.EndPoint, certificate)
            : await RawFrameClient.ConnectAsync(cluster.EndPoint);

        var received = Channel.CreateUnbounded<MessagePackValue?>();
        using var readerStop = new CancellationTokenSource();
        Task reader = ReadAllAsync(client, dialect, options.AnswerPings, received.Writer, readerStop.Token);

        var outstanding = new List<(int Line, string Key, MessagePackValue Frame)>();
        var serverIds = new Dictionary<long, long>();
        var clock = Stopwatch.StartNew();
        double origin = lines[0].TimeMs;
        string conn = $"conn {lines[0].Connection}";

        try
        {
            for (int i = 0; i < lines.Count; i++)
            {
                TranscriptRecord line = lines[i];
                MessagePackValue frame = MessagePackValue.Parse(line.Bytes);
                if (options.AnswerPings && line.Direction == TranscriptDirection.ClientToServer && IsPong(dialect, frame))
                {
                    continue; // the replay answers the server's own pings instead
                }

                if (line.Direction != TranscriptDirection.ClientToServer)
                {
                    if (!dialect.IsServerPing(frame) && !dialect.IsOptional(frame))
                    {
                        outstanding.Add((line.LineNumber, dialect.MatchKey(frame), frame));
                    }

                    continue;
                }

                await MatchOutstandingAsync(dialect, received.Reader, outstanding, serverIds, options, conn);
                if (options.KeepTiming)
                {
                    TimeSpan due = TimeSpan.FromMilliseconds(line.TimeMs - origin);
                    if (due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed);
                    }
                }

                await client.SendAsync(Substitute(frame, line.Bytes, serverIds));
            }

            if (options.AfterLastClientFrame is not null)
            {
                await options.AfterLastClientFrame(cluster);
            }

            await MatchOutstandingAsync(dialect, received.Reader, outstanding, serverIds, options, conn);
            if (options.ExpectServerClose)
            {
                while (true)
                {
                    MessagePackValue? next = await NextAsync(received.Reader, options, conn, "the server to close the connection");
                    if (next is null)
                    {
                        break;
                    }

                    Assert.True(dialect.IsServerPing(next.Value), $"{conn}: unexpected frame before close: {FrameComparison.Describe(next.Value)}");
                }
            }
        }
        finally
        {
            await readerStop.CancelAsync();
            try
            {
                await reader;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static async Task MatchOutstandingAsync(
        WireDialect dialect,
        ChannelReader<MessagePackValue?> received,
        List<(int Line, string Key, MessagePackValue Frame)> outstanding,
        Dictionary<long, long> serverIds,
        ReplayOptions options,
        string conn)
    {
        while (outstanding.Count > 0)
        {
            string waitingFor = string.Join("; ", outstanding.Take(3).Select(o => FrameComparison.Describe(o.Frame)));
            MessagePackValue? next = await NextAsync(received, options, conn, waitingFor);
            Assert.True(next is not null, $"{conn}: the server closed the connection while these were expected: {waitingFor}");
            MessagePackValue actual = next.Value;
            if (dialect.IsServerPing(actual) || dialect.IsOptional(actual))
            {
                continue;
            }

            string key = dialect.MatchKey(actual);
            int index = outstanding.FindIndex(o => o.Key == key);
            Assert.True(index >= 0, $"{conn}: unexpected frame {FrameComparison.Describe(actual)}; expected one of: {waitingFor}");
            var expected = outstanding[index];
            outstanding.RemoveAt(index);
            List<ValueDifference> mismatches = FrameComparison.Compare(dialect, expected.Frame, actual, serverIds);
            Assert.True(mismatches.Count == 0,
                $"{conn}, transcript line {expected.Line}: {string.Join("; ", mismatches)}\n expected {FrameComparison.Describe(expected.Frame)}\n actual   {FrameComparison.Describe(actual)}");
        }
    }

    private static async Task<MessagePackValue?> NextAsync(ChannelReader<MessagePackValue?> received, ReplayOptions options, string conn, string waitingFor)
    {
        using var timeout = new CancellationTokenSource(options.FrameTimeout);
        try
        {
            return await received.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{conn}: nothing from the server within {options.FrameTimeout} while waiting for {waitingFor}");
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    private static bool IsPong(WireDialect dialect, MessagePackValue frame) =>
        dialect == WireDialect.Head
            ? dialect.IsServerPing(frame) // HEAD clients echo the server's 203 ping
            : frame[0].AsInt64() == 103 && frame[3].IsString && frame[3].AsString() == "pong";

    private static async Task ReadAllAsync(RawFrameClient client, WireDialect dialect, bool answerPings, ChannelWriter<MessagePackValue?> writer, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                byte[]? frame = await client.ReadFrameAsync(Timeout.InfiniteTimeSpan, cancellationToken);
                if (frame is null)
                {
                    writer.TryWrite(null);
                    return;
                }

                MessagePackValue value = MessagePackValue.Parse(frame);
                if (answerPings && dialect.IsServerPing(value))
                {
                    await client.SendAsync(dialect.Pong(value), cancellationToken);
                }

                writer.TryWrite(value);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            writer.TryWrite(null); // the server reset the connection
        }
        finally
        {
            writer.TryComplete();
        }
    }

    /// <summary>Client frames that carry a server-chosen id (0.5.3.8 generator call_id) get the id this server chose.</summary>
    private static byte[] Substitute(MessagePackValue frame, byte[] recorded, Dictionary<long, long> serverIds)
    {
        if (serverIds.Count == 0 || frame.Kind != MessagePackValueKind.Array || frame.Count != 6
            || frame[5].Kind != MessagePackValueKind.Map || !frame[5].TryGetValue("call_id", out MessagePackValue callId)
            || !callId.IsInteger || !serverIds.TryGetValue(callId.AsInt64(), out long actual))
        {
            return recorded;
        }

        var body = frame[5].AsMap()
            .Select(e => e.Key.IsString && e.Key.AsString() == "call_id" ? new KeyValuePair<MessagePackValue, MessagePackValue>(e.Key, actual) : e)
            .ToList();
        var items = frame.AsArray().ToArray();
        items[5] = MessagePackValue.FromMap(body);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        MessagePackValue.FromArray(items).Write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
