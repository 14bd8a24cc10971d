using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using OrleansRpc.MessagePack;

namespace OrleansRpc.TestingHost;

/// <summary>
/// A byte-level client for gateway tests: sends raw bytes over TCP (or TLS) and reads back whole msgpack
/// values (frames) as the server sent them, or end of stream.
/// </summary>
public sealed class RawFrameClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawFrameClient(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        _stream = stream;
    }

    /// <summary>Default time <see cref="ReadFrameAsync"/> waits.</summary>
    public static TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The client's own address (what the server sees as the peer).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_tcp.Client.LocalEndPoint!;

    /// <summary>Connects over plain TCP.</summary>
    public static async Task<RawFrameClient> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var tcp = new TcpClient(endPoint.AddressFamily) { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new RawFrameClient(tcp, tcp.GetStream());
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Connects over TLS, trusting exactly <paramref name="serverCertificate"/> (as rap's client does with its one certificate file).</summary>
    public static async Task<RawFrameClient> ConnectTlsAsync(IPEndPoint endPoint, X509Certificate2 serverCertificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(serverCertificate);
        var tcp = new TcpClient(endPoint.AddressFamily) { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
                certificate is not null && certificate.GetCertHashString() == serverCertificate.GetCertHashString());
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cancellationToken).ConfigureAwait(false);
            return new RawFrameClient(tcp, ssl);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Sends bytes as one write (safe to call from several tasks: writes do not interleave).</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends one msgpack value built by <paramref name="write"/>.</summary>
    public Task SendAsync(Action<IBufferWriter<byte>> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return SendAsync(buffer.WrittenMemory, cancellationToken);
    }

    /// <summary>Half-closes: the server sees end of stream.</summary>
    public void ShutdownSend() => _tcp.Client.Shutdown(SocketShutdown.Send);

    /// <summary>
    /// The next complete msgpack value the server sent, or null when the server closed the connection.
    /// Throws <see cref="TimeoutException"/> when nothing complete arrives within <paramref name="timeout"/>.
    /// </summary>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? DefaultTimeout);
        while (true)
        {
            if (_end > _start
                && MessagePackFrameReader.TryReadNext(_buffer.AsSpan(_start, _end - _start), MessagePackReaderOptions.Default, out int length) == MessagePackFrameStatus.Complete)
            {
                byte[] frame = _buffer.AsSpan(_start, length).ToArray();
                _start += length;
                return frame;
            }

            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer.AsMemory(_end), cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No complete frame from the server within {timeout ?? DefaultTimeout}.");
            }
            catch (IOException)
            {
                return null; // reset by the server
            }

            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }

    /// <summary>Reads frames until the server closes the connection; returns them.</summary>
    public async Task<IReadOnlyList<byte[]>> ReadUntilClosedAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var frames = new List<byte[]>();
        while (await ReadFrameAsync(timeout, cancellationToken).ConfigureAwait(false) is { } frame)
        {
            frames.Add(frame);
        }

        return frames;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _tcp.Dispose();
        _sendLock.Dispose();
    }
}
