using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>The server side of one accepted connection: records every frame, lets the test answer.</summary>
internal sealed class FakeConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly TcpClient _tcp;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<ServerFrame> _frames = Channel.CreateUnbounded<ServerFrame>();
    private readonly ConcurrentQueue<ServerFrame> _received = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RapVersion _version;

    public FakeConnection(TcpClient tcp, Stream stream, RapVersion version)
    {
        _tcp = tcp;
        _stream = stream;
        _version = version;
        RemoteEndPoint = (IPEndPoint)tcp.Client.RemoteEndPoint!;
    }

    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>Every frame received so far, in order.</summary>
    public IReadOnlyList<ServerFrame> Received => [.. _received];

    /// <summary>Completes when the client closed the connection (or it was closed here).</summary>
    public Task Closed => _closed.Task;

    /// <summary>Frames not yet taken by <see cref="NextAsync"/> (handlers and tests share the stream of frames).</summary>
    public ChannelReader<ServerFrame> Frames => _frames.Reader;

    public async Task SendAsync(byte[] frame)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(frame);
            await _stream.FlushAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task CloseAsync()
    {
        try
        {
            _tcp.Client?.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        await _stream.DisposeAsync();
        _tcp.Dispose();
        _closed.TrySetResult();
    }

    public async Task RunAsync(Func<FakeConnection, ServerFrame, Task> handler)
    {
        var reader = PipeReader.Create(_stream);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                while (!buffer.IsEmpty && MessagePackFrameReader.TryReadNext(buffer, MessagePackReaderOptions.Default, out var end) == MessagePackFrameStatus.Complete)
                {
                    var frame = new ServerFrame(buffer.Slice(0, end).ToArray(), _version);
                    buffer = buffer.Slice(end);
                    _received.Enqueue(frame);
                    _frames.Writer.TryWrite(frame);
                    await handler(this, frame);
                }

                if (result.IsCompleted)
                {
                    break;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }
        finally
        {
            _frames.Writer.TryComplete();
            _closed.TrySetResult();
        }
    }

    public ValueTask DisposeAsync() => new(CloseAsync());
}
