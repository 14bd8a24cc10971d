using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using OrleansRpc.Gateway;

namespace OrleansRpc.Middleware.Diagnostics;

/// <summary>
/// Counts connections by generation and bytes in/out. Runs after TLS, on the rap byte stream: the first byte names the
/// generation (<c>0x94</c> HEAD, <c>0x96</c> 0.5.3.8, as the gateway's detection rule); until then a connection is
/// counted as <c>unknown</c>.
/// </summary>
public sealed class RapConnectionMetricsMiddleware : IRapConnectionMiddleware
{
    private readonly RapMiddlewareInstruments _instruments;

    public RapConnectionMetricsMiddleware(RapMiddlewareInstruments instruments) => _instruments = instruments;

    public bool RunsBeforeTls => false;

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(next);
        string generation = RapGeneration.Unknown;
        var lockObject = new Lock();
        _instruments.Connections.Add(1, new KeyValuePair<string, object?>("rap.generation", generation));
        IDuplexPipe original = connection.Transport;
        connection.Transport = new CountingDuplexPipe(
            original,
            received => _instruments.BytesReceived.Add(received),
            sent => _instruments.BytesSent.Add(sent),
            first =>
            {
                string detected = first switch
                {
                    0x94 => RapGeneration.Head,
                    0x96 => RapGeneration.V0538,
                    _ => RapGeneration.Unknown,
                };
                lock (lockObject)
                {
                    if (detected != generation)
                    {
                        _instruments.Connections.Add(-1, new KeyValuePair<string, object?>("rap.generation", generation));
                        _instruments.Connections.Add(1, new KeyValuePair<string, object?>("rap.generation", detected));
                        generation = detected;
                    }
                }
            });
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            connection.Transport = original;
            lock (lockObject)
            {
                _instruments.Connections.Add(-1, new KeyValuePair<string, object?>("rap.generation", generation));
            }
        }
    }
}
