using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway.Connections;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Server;

namespace OrleansRpc.Gateway.Protocol;

/// <summary>The production frame handler: the rap protocol state machine wired to the server's dispatcher.</summary>
internal sealed class RapProtocolHandlerFactory : IRapFrameHandlerFactory
{
    private readonly RapGatewayOptions _options;
    private readonly RapConnectionOptions _connectionOptions;
    private readonly RapDispatcher _dispatcher;
    private readonly INonceStore _nonces;
    private readonly ILogger _logger;

    public RapProtocolHandlerFactory(IOptions<RapGatewayOptions> options, RapDispatcher dispatcher, ILogger<RapProtocolHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _dispatcher = dispatcher;
        _logger = logger;
        _nonces = new InMemoryNonceStore(); // crypto replay protection is server-wide, as in rap
        _connectionOptions = new RapConnectionOptions
        {
            PingInterval = _options.PingInterval,
            PingHeadClients = _options.PingHeadClients,
            PongTimeout = _options.EffectivePongTimeout,
            IdleTimeout = _options.IdleTimeout,
            LegacySilenceThreshold = _options.LegacySilenceThreshold,
            MaxFrameBytes = _options.MaxFrameBytes,
            MaxInFlightCalls = Math.Max(4096, _options.MaxInFlightCallsPerConnection),
        };
        foreach (var (id, secret) in _options.CryptoKeys)
        {
            _connectionOptions.CryptoKeys[id] = secret;
        }

        _connectionOptions.Validate();
    }

    public IRapFrameHandler Create(RapConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        (RapPeer peer, bool isLoopback) = ToPeer(connection.RemoteEndPoint);
        bool isLocal = isLoopback && !_options.TreatAllPeersAsRemote;
        return new RapProtocolHandler(connection, _dispatcher, _connectionOptions, _nonces, peer, isLocal, _logger);
    }

    private static (RapPeer Peer, bool IsLoopback) ToPeer(EndPoint? endPoint)
    {
        if (endPoint is IPEndPoint ip)
        {
            IPAddress address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
            return (new RapPeer(address.ToString(), ip.Port), IPAddress.IsLoopback(address));
        }

        return (new RapPeer(endPoint?.ToString() ?? "unknown", 0), false);
    }
}
