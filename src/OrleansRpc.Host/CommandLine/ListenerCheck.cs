using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway;
using OrleansRpc.Hosting;

namespace OrleansRpc.Host;

/// <summary>
/// Names the listener that cannot be bound, before the host binds them: Kestrel's own failure is a stack trace that
/// names neither the listener nor its configuration key, calls the rap port <c>http://</c>, and for an address that is
/// not this machine's does not even give the address.
/// </summary>
internal static class ListenerCheck
{
    /// <summary>One of the listeners <c>serve</c> opens.</summary>
    internal sealed record Listener(string Name, string Keys, string Host, int Port);

    /// <summary>The listeners of the built host: the rap gateway, then the health endpoint when it is enabled.</summary>
    public static IReadOnlyList<Listener> Listeners(IServiceProvider services)
    {
        RapGatewayOptions gateway = services.GetRequiredService<IOptions<RapGatewayOptions>>().Value;
        var listeners = new List<Listener> { new("the rap gateway", OrleansRpcSections.Gateway + ":Host/Port", gateway.Host, gateway.Port) };
        HealthEndpointOptions? health = services.GetService<IOptions<HealthEndpointOptions>>()?.Value;
        if (health is { Enabled: true })
        {
            listeners.Add(new("the health and metrics endpoint", OrleansRpcSections.Health + ":Host/Port", health.Host, health.Port));
        }

        return listeners;
    }

    /// <summary>Why <paramref name="listener"/> cannot be bound, as one sentence; null when it can (or cannot be probed).</summary>
    public static string? Check(Listener listener)
    {
        if (listener.Port is <= 0 or > 65535 || Resolve(listener.Host) is not { } address)
        {
            return null; // a free port is picked, or the name does not resolve: the host reports that itself
        }

        var endPoint = new IPEndPoint(address, listener.Port);
        try
        {
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);

            // As Kestrel on Unix: a port held only by connections in TIME_WAIT is free; a listening socket is not.
            if (!OperatingSystem.IsWindows())
            {
                probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            probe.Bind(endPoint);
            return null;
        }
        catch (SocketException ex)
        {
            return Describe(listener, endPoint.ToString(), ex);
        }
    }

    /// <summary>
    /// A one-line description of a bind failure Kestrel reported (the probe passed, another process bound the port
    /// meanwhile); null when <paramref name="exception"/> is not one.
    /// </summary>
    public static string? DescribeStartFailure(Exception exception, IReadOnlyList<Listener> listeners)
    {
        SocketException? socket = null;
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            socket ??= e as SocketException;
        }

        if (socket is null)
        {
            return null;
        }

        // Kestrel's message names the address as a URL (http://127.0.0.1:9000): match the listener by its port.
        Listener listener = listeners.FirstOrDefault(l => l.Port > 0 && exception.Message.Contains(":" + l.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
            ?? listeners[0];
        return Describe(listener, $"{listener.Host}:{listener.Port}", socket);
    }

    private static string Describe(Listener listener, string endPoint, SocketException ex)
    {
        string reason = ex.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => "the port is already in use",
            SocketError.AddressNotAvailable => "the address is not one of this machine's",
            SocketError.AccessDenied => "permission denied (ports below 1024 need privileges)",
            _ => ex.Message,
        };
        return $"{listener.Name} cannot listen on {endPoint} ({listener.Keys}): {reason}.";
    }

    // As the Kestrel setups resolve Host (RapGatewayKestrelSetup, HealthEndpointKestrelSetup).
    private static IPAddress? Resolve(string host)
    {
        host = host.Trim();
        if (host is "" or "*" or "+")
        {
            return IPAddress.Any;
        }

        if (IPAddress.TryParse(host, out IPAddress? address))
        {
            return address;
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        try
        {
            IPAddress[] addresses = Dns.GetHostAddresses(host);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
