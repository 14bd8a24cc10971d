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
    private readonly RapDispatcher _dispatcher;
    private readonly INonceStore _nonces;
    private readonly IRapCryptoSettings? _crypto;
    private readonly ICryptoTimeWindow? _timeWindow;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private RapConnectionOptions _connectionOptions;
    private long _cryptoVersion;

    public RapProtocolHandlerFactory(
        IOptions<RapGatewayOptions> options,
        RapDispatcher dispatcher,
        ILogger<RapProtocolHandler> logger,
        INonceStore? nonceStore = null,
        IRapCryptoSettings? crypto = null,
        ICryptoTimeWindow? timeWindow = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _dispatcher = dispatcher;
        _logger = logger;
        _nonces = nonceStore ?? new InMemoryNonceStore(); // crypto replay protection is server-wide, as in rap
        _crypto = crypto;
        _timeWindow = timeWindow; // null: rap's max-age rule
        _cryptoVersion = crypto?.Version ?? 0;
        _connectionOptions = BuildConnectionOptions();
    }

    private RapConnectionOptions BuildConnectionOptions()
    {
        var connectionOptions = new RapConnectionOptions
        {
            PingInterval = _options.PingInterval,
            PingHeadClients = _options.PingHeadClients,
            PongTimeout = _options.EffectivePongTimeout,
            IdleTimeout = _options.IdleTimeout,
            LegacySilenceThreshold = _options.LegacySilenceThreshold,
            MaxFrameBytes = _options.MaxFrameBytes,
            MaxFrameElements = _options.MaxFrameElements,
            MaxInFlightCalls = Math.Max(4096, _options.MaxInFlightCallsPerConnection),
            CryptoTimeWindow = _timeWindow,
        };
        IEnumerable<KeyValuePair<string, string>> keys = _crypto is null ? _options.CryptoKeys : _crypto.Keys;
        foreach (var (id, secret) in keys)
        {
            connectionOptions.CryptoKeys[id] = secret;
        }

        if (_crypto is not null)
        {
            connectionOptions.CryptoMaxAge = _crypto.MaxAge;
            connectionOptions.CryptoNonceLifetime = _crypto.NonceLifetime;
        }

        connectionOptions.Validate();
        return connectionOptions;
    }

    /// <summary>The settings for a new connection; rebuilt when the live crypto settings changed.</summary>
    private RapConnectionOptions CurrentConnectionOptions()
    {
        if (_crypto is null || _crypto.Version == Volatile.Read(ref _cryptoVersion))
        {
            return Volatile.Read(ref _connectionOptions);
        }

        lock (_sync)
        {
            long version = _crypto.Version;
            if (version != _cryptoVersion)
            {
                Volatile.Write(ref _connectionOptions, BuildConnectionOptions());
                Volatile.Write(ref _cryptoVersion, version);
            }

            return _connectionOptions;
        }
    }

    public IRapFrameHandler Create(RapConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        (RapPeer peer, bool isLoopback) = ToPeer(connection.RemoteEndPoint);
        bool isLocal = isLoopback && !_options.TreatAllPeersAsRemote;
        return new RapProtocolHandler(connection, _dispatcher, CurrentConnectionOptions(), _nonces, peer, isLocal, _logger);
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
