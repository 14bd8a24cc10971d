using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Grains.Hosting;
using OrleansRpc.Server;

namespace OrleansRpc.Hosting;

/// <summary>Configures an OrleansRpc host; returned by <c>AddOrleansRpc</c> and passed to <c>UseOrleansRpc</c>'s callback.</summary>
public interface IOrleansRpcBuilder
{
    /// <summary>The host's services.</summary>
    IServiceCollection Services { get; }

    /// <summary>The configuration the <c>OrleansRpc</c> section was bound from.</summary>
    IConfiguration Configuration { get; }

    /// <summary>Registers functions: <c>Server.AddFunction(...)</c>, <c>Server.AddFunctionGroup&lt;T&gt;()</c>.</summary>
    IRapServerBuilder Server { get; }

    /// <summary>Configures the grain runtime: grain classes, call filters, stream providers.</summary>
    ISiloBuilder Silo { get; }
}
