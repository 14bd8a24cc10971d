using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace OrleansRpc.Hosting;

/// <summary>Adds the health listener (HTTP/1.1) to Kestrel and marks its connections for the health pipeline.</summary>
internal sealed class HealthEndpointKestrelSetup : IConfigureOptions<KestrelServerOptions>
{
    /// <summary>Connection item set on every connection of the health listener.</summary>
    internal const string ConnectionMarker = "OrleansRpc.Health";

    private readonly IOptions<HealthEndpointOptions> _options;
    private readonly HealthEndpoint _endpoint;

    public HealthEndpointKestrelSetup(IOptions<HealthEndpointOptions> options, HealthEndpoint endpoint)
    {
        _options = options;
        _endpoint = endpoint;
    }

    public void Configure(KestrelServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        HealthEndpointOptions health = _options.Value;
        if (!health.Enabled)
        {
            return;
        }

        Action<ListenOptions> configure = listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(next => connection =>
            {
                connection.Items[ConnectionMarker] = true;
                return next(connection);
            });
            _endpoint.Set(listen);
        };

        string host = health.Host.Trim();
        if (host is "" or "*" or "0.0.0.0" or "+")
        {
            options.ListenAnyIP(health.Port, configure);
        }
        else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) && health.Port != 0)
        {
            options.ListenLocalhost(health.Port, configure);
        }
        else
        {
            options.Listen(Resolve(host), health.Port, configure);
        }
    }

    private static IPAddress Resolve(string host)
    {
        if (IPAddress.TryParse(host, out IPAddress? address))
        {
            return address;
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        IPAddress[] addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException($"{OrleansRpcSections.Health}:{nameof(HealthEndpointOptions.Host)} '{host}' does not resolve to an address.");
    }
}
