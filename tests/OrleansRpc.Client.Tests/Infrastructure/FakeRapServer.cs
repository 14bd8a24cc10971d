using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>
/// A scriptable rap server on a real loopback socket. By default it answers DECLARE and pings like rap HEAD; every
/// other frame goes to the handler. Everything received is recorded per connection.
/// </summary>
internal sealed class FakeRapServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<FakeConnection, ServerFrame, Task> _handler;
    private readonly X509Certificate2? _certificate;
    private readonly RapVersion _version;
    private readonly ConcurrentQueue<FakeConnection> _connections = new();
    private readonly Channel<FakeConnection> _accepted = Channel.CreateUnbounded<FakeConnection>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private FakeRapServer(int port, Func<FakeConnection, ServerFrame, Task> handler, X509Certificate2? certificate, RapVersion version)
    {
        _handler = handler;
        _certificate = certificate;
        _version = version;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Answer pings (HEAD); tests of the liveness rule turn this off.</summary>
    public bool AnswerPings { get; set; } = true;

    public IReadOnlyList<FakeConnection> Connections => [.. _connections];

    /// <summary>Starts a server; <paramref name="handler"/> sees every frame except DECLARE/pings (HEAD) which are answered here.</summary>
    public static FakeRapServer Start(Func<FakeConnection, ServerFrame, Task>? handler = null, int port = 0, X509Certificate2? certificate = null,
        RapVersion version = RapVersion.Head, bool rawHandler = false)
    {
        handler ??= static (_, _) => Task.CompletedTask;
        FakeRapServer? server = null;
        Func<FakeConnection, ServerFrame, Task> wrapped = rawHandler || version != RapVersion.Head
            ? handler
            : async (connection, frame) =>
            {
                if (frame.Type == 103 && frame.Target == "/_event/DECLARE")
                {
                    await connection.SendAsync(Frames.DeclareAnswer(frame.Id));
                    return;
                }

                if (frame.Type == 103 && frame.Target == "/_event/ping")
                {
                    if (server!.AnswerPings)
                    {
                        await connection.SendAsync(Frames.Head(103, frame.Id, Frames.EmptyMap));
                    }

                    return;
                }

                if (frame.Type == 203)
                {
                    return;
                }

                await handler(connection, frame);
            };
        server = new FakeRapServer(port, wrapped, certificate, version);
        return server;
    }

    /// <summary>Waits for the next accepted connection.</summary>
    public async Task<FakeConnection> AcceptedAsync(TimeSpan? timeout = null) =>
        await _accepted.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(10));

    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var connection in _connections)
        {
            await connection.CloseAsync();
        }

        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            tcp.NoDelay = true;
            _ = Task.Run(async () =>
            {
                Stream stream = tcp.GetStream();
                if (_certificate is not null)
                {
                    var ssl = new SslStream(stream, false);
                    try
                    {
                        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate });
                    }
                    catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
                    {
                        tcp.Dispose();
                        return;
                    }

                    stream = ssl;
                }

                var connection = new FakeConnection(tcp, stream, _version);
                _connections.Enqueue(connection);
                _accepted.Writer.TryWrite(connection);
                await connection.RunAsync(_handler);
            });
        }
    }
}
