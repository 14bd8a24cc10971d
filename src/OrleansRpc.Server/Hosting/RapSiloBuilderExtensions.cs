using System.Net;
using System.Net.Sockets;
using Orleans.Hosting;

namespace OrleansRpc.Server;

/// <summary>The embedded single-process silo a rap server needs, on Orleans' <see cref="ISiloBuilder"/>.</summary>
public static class RapSiloBuilderExtensions
{
    /// <summary>The stream provider rap functions hand to clients as generators (memory streams by default).</summary>
    public const string StreamProviderName = "rap";

    /// <summary>
    /// Localhost clustering on <paramref name="siloPort"/> (0: a free loopback port — all one process needs, since the
    /// rap gateway calls its own silo in process), an Orleans client gateway only when <paramref name="gatewayPort"/> is
    /// set, and the <see cref="StreamProviderName"/> memory streams with their in-memory <c>PubSubStore</c>. Nothing
    /// outside the process.
    /// </summary>
    public static ISiloBuilder UseRapLocalhostCluster(this ISiloBuilder silo, int siloPort = 0, int gatewayPort = 0)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.UseLocalhostClustering(siloPort > 0 ? siloPort : FreeLoopbackPort(), gatewayPort > 0 ? gatewayPort : 0);
        silo.AddMemoryGrainStorage("PubSubStore");
        silo.AddMemoryStreams(StreamProviderName);
        return silo;
    }

    /// <summary>A loopback port nobody listens on right now (the OS picks it).</summary>
    public static int FreeLoopbackPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
