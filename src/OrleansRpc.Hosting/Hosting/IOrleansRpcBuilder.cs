using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
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

    /// <summary>The Orleans silo this host runs: clustering, storage, stream providers, grain call filters.</summary>
    ISiloBuilder Silo { get; }
}
