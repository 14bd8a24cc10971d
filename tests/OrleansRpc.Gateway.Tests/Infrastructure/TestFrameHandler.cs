using System.Buffers;
using OrleansRpc.Gateway.Connections;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Gateway.Tests.Infrastructure;

/// <summary>
/// A tiny frame protocol to test the gateway's plumbing without the rap protocol: every frame is
/// <c>[op, id, arg]</c>. <c>echo</c> is answered at once with the same bytes; <c>hold</c> starts a call that
/// answers <c>["done", id, arg]</c> when the test releases it; a drain writes <c>["drain", 0, nil]</c>.
/// </summary>
internal sealed class TestFrameHandler : IRapFrameHandler
{
    private readonly RapConnection _connection;
    private readonly TestCalls _calls;

    public TestFrameHandler(RapConnection connection, TestCalls calls)
    {
        _connection = connection;
        _calls = calls;
        calls.Connections.Enqueue(connection);
    }

    public void OnFrame(in ReadOnlySequence<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != 3)
        {
            throw new InvalidDataException("test frames are [op, id, arg]");
        }

        string op = reader.ReadString() ?? "";
        long id = reader.ReadInt64();
        byte[] arg = reader.ReadRaw().ToArray();
        switch (op)
        {
            case "echo":
                _connection.Output.Write(frame.ToArray());
                break;
            case "hold":
                _connection.BeginCall();
                _calls.Record($"start {id}");
                _calls.Started.Writer.TryWrite(id);
                _ = CompleteLaterAsync(id, arg);
                break;
            default:
                throw new InvalidDataException($"unknown op {op}");
        }
    }

    public void OnDrain(TimeSpan drainTimeout) => _connection.Output.Write(Frame("drain", 0, [MessagePackCode.Nil]));

    public void OnClosed() => _calls.Record("closed");

    public static byte[] Frame(string op, long id, ReadOnlySpan<byte> rawArg)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.Write(op);
        writer.Write(id);
        writer.WriteRaw(rawArg);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private async Task CompleteLaterAsync(long id, byte[] arg)
    {
        try
        {
            await _calls.Gate(id).WaitAsync(_connection.ConnectionClosed);
            _connection.Output.Write(Frame("done", id, arg));
        }
        catch (OperationCanceledException)
        {
            // the connection ended first
        }
        finally
        {
            _connection.EndCall();
        }
    }
}
