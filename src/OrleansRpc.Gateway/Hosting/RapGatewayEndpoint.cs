using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OrleansRpc.Gateway;

/// <summary>Where the gateway listens; after start <see cref="EndPoint"/> holds the bound address (useful with port 0).</summary>
public sealed class RapGatewayEndpoint
{
    private ListenOptions? _listenOptions;

    /// <summary>The bound endpoint once the server has started, otherwise the configured one (or null before configuration).</summary>
    public IPEndPoint? EndPoint => _listenOptions?.EndPoint as IPEndPoint;

    /// <summary>True when the listener terminates TLS.</summary>
    public bool IsTls { get; private set; }

    internal void Set(ListenOptions listenOptions, bool isTls)
    {
        _listenOptions = listenOptions;
        IsTls = isTls;
    }
}
