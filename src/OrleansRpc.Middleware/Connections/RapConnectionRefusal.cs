using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Middleware.Connections;

/// <summary>
/// Ends a refused connection the way rap does where the protocol allows it. A dual-generation server must not speak
/// first (RAP_PROTOCOL.md §5), so the refusal waits (bounded) for the client's first bytes: a HEAD frame (<c>0x94</c>)
/// gets the HEAD <c>CLOSE</c> event with the reason, a 0.5.3.8 frame (<c>0x96</c>) gets <c>event_close_conn</c>; anything
/// else (TLS, silence, garbage) is just closed.
/// </summary>
public sealed class RapConnectionRefusal
{
    private readonly RapRefusalOptions _options;
    private readonly TimeProvider _time;
    private int _pending;

    public RapConnectionRefusal(RapRefusalOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _time = timeProvider;
    }

    /// <summary>Refusals currently waiting for their client's first bytes.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Answers (when possible) and lets the connection end; never throws for peer failures.</summary>
    public async Task RefuseAsync(ConnectionContext connection, string reason)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!_options.AnswerWithCloseEvent || _options.ReplyTimeout <= TimeSpan.Zero)
        {
            return;
        }

        // A flood of refused connections must not pin resources: beyond the cap they are closed at once.
        if (Interlocked.Increment(ref _pending) > _options.MaxPendingReplies)
        {
            Interlocked.Decrement(ref _pending);
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_options.ReplyTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, connection.ConnectionClosed);
            PipeReader input = connection.Transport.Input;
            ReadResult read = await input.ReadAsync(linked.Token).ConfigureAwait(false);
            byte first = read.Buffer.IsEmpty ? (byte)0 : read.Buffer.FirstSpan[0];
            input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            byte[]? answer = first switch
            {
                0x94 => HeadCloseEvent(reason),
                0x96 => LegacyCloseEvent(reason),
                _ => null,
            };
            if (answer is not null)
            {
                await connection.Transport.Output.WriteAsync(answer, linked.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException or InvalidOperationException)
        {
            // silent client, or the peer went away: nothing to tell it
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary><c>[203, 2, {"target": "/_event/CLOSE"}, reason]</c> (§2.7 f; server ids are even and never 0).</summary>
    public static byte[] HeadCloseEvent(string reason)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + reason.Length);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.Write(203);
        writer.Write(2);
        writer.WriteMapHeader(1);
        writer.Write("target");
        writer.Write("/_event/CLOSE");
        writer.Write(reason);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>[203, -1, "default", "event_close_conn", {status_code 200, version, user_agent, request_id}, reason]</c> (O-26).</summary>
    public static byte[] LegacyCloseEvent(string reason)
    {
        var buffer = new ArrayBufferWriter<byte>(192 + reason.Length);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(6);
        writer.Write(203);
        writer.Write(-1);
        writer.Write("default");
        writer.Write("event_close_conn");
        writer.WriteMapHeader(4);
        writer.Write("status_code");
        writer.Write(200);
        writer.Write("version");
        writer.Write("0.1");
        writer.Write("user_agent");
        writer.Write("Python3-0.5.3");
        writer.Write("request_id");
        writer.Write(Guid.NewGuid().ToString());
        writer.Write(reason);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
