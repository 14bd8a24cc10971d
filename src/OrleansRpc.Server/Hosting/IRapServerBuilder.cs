using Microsoft.Extensions.DependencyInjection;

namespace OrleansRpc.Server;

/// <summary>Registers rap functions on top of <see cref="IServiceCollection"/>; returned by <c>AddRapServer</c>.</summary>
public interface IRapServerBuilder
{
    IServiceCollection Services { get; }
}
