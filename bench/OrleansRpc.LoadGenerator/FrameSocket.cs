using System.Buffers;
using System.Net;
using System.Net.Sockets;
using OrleansRpc.MessagePack;

namespace OrleansRpc.LoadGenerator;

/// <summary>
/// A blocking TCP socket with a send buffer and a receive buffer in which complete msgpack frames are found
/// with the codec's frame finder. Nothing here allocates once the buffers have grown to their working size.
/// </summary>
public sealed class FrameSocket : IDisposable
{
    private static readonly MessagePackReaderOptions s_readerOptions = new();
    private readonly Socket _socket;
    private byte[] _receive;
    private int _start;
    private int _end;

    public FrameSocket(IPEndPoint endPoint, int receiveBufferBytes = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.Connect(endPoint);
        _socket.ReceiveTimeout = 10_000;
        _socket.SendTimeout = 10_000;
        _receive = new byte[receiveBufferBytes];
        LocalPort = ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    public int LocalPort { get; }

    /// <summary>Frames to send; <see cref="Flush"/> writes them.</summary>
    public ArrayBufferWriter<byte> Output { get; } = new(16 * 1024);

    public int ReceiveTimeoutMilliseconds
    {
        get => _socket.ReceiveTimeout;
        set => _socket.ReceiveTimeout = value;
    }

    public void Flush()
    {
        ReadOnlySpan<byte> pending = Output.WrittenSpan;
        while (!pending.IsEmpty)
        {
            int sent = _socket.Send(pending, SocketFlags.None);
            pending = pending[sent..];
        }

        Output.ResetWrittenCount();
    }

    /// <summary>Blocks until bytes arrive; false at end of stream. Throws <see cref="SocketException"/> on timeout.</summary>
    public bool Receive()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _receive.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_receive, _start, _receive, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _receive, _receive.Length * 2); // a frame larger than the buffer
            }
        }

        int received = _socket.Receive(_receive, _end, _receive.Length - _end, SocketFlags.None);
        _end += received;
        return received > 0;
    }

    /// <summary>Takes the next complete frame out of the receive buffer, if there is one.</summary>
    public bool TryTakeFrame(out ReadOnlyMemory<byte> frame)
    {
        ReadOnlySpan<byte> available = _receive.AsSpan(_start, _end - _start);
        if (available.IsEmpty || MessagePackFrameReader.TryReadNext(available, s_readerOptions, out int length) != MessagePackFrameStatus.Complete)
        {
            frame = default;
            return false;
        }

        frame = _receive.AsMemory(_start, length);
        _start += length;
        return true;
    }

    public void Dispose()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // already gone
        }

        _socket.Dispose();
    }
}
