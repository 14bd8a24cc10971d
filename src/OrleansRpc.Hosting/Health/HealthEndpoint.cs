using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OrleansRpc.Hosting;

/// <summary>Where the health endpoint listens; after start <see cref="EndPoint"/> holds the bound address (useful with port 0).</summary>
public sealed class HealthEndpoint
{
    private ListenOptions? _listenOptions;

    /// <summary>The bound endpoint once the server has started, otherwise the configured one (null when the endpoint is disabled).</summary>
    public IPEndPoint? EndPoint => _listenOptions?.EndPoint as IPEndPoint;

    internal void Set(ListenOptions listenOptions) => _listenOptions = listenOptions;
}
