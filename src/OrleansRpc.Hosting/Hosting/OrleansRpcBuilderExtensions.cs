using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;
using OrleansRpc.Server;

namespace OrleansRpc.Hosting;

/// <summary>Function registration and runtime configuration on <see cref="IOrleansRpcBuilder"/>.</summary>
public static class OrleansRpcBuilderExtensions
{
    /// <summary>Registers the public methods of <paramref name="groupClass"/> as one function group (as <c>AddFunctionGroup&lt;T&gt;</c>).</summary>
    public static IOrleansRpcBuilder AddFunctionGroup(this IOrleansRpcBuilder builder, Type groupClass, string? group = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(groupClass);
        builder.Services.TryAdd(ServiceDescriptor.Singleton(groupClass, groupClass));
        string? name = group ?? groupClass.GetCustomAttribute<RapGroupAttribute>()?.Name;
        builder.Services.AddSingleton(new RapFunctionRegistration((registry, services) =>
            registry.RegisterGroup(services.GetRequiredService(groupClass), name)));
        return builder;
    }

    /// <summary>Registers every function group (class marked <c>[RapGroup]</c>) of <paramref name="assembly"/>.</summary>
    public static IOrleansRpcBuilder AddFunctionAssembly(this IOrleansRpcBuilder builder, Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (Type groupClass in FunctionAssemblyLoader.FindFunctionGroups(assembly))
        {
            builder.AddFunctionGroup(groupClass);
        }

        return builder;
    }

    /// <summary>Loads the assembly at <paramref name="path"/> and registers its function groups.</summary>
    public static IOrleansRpcBuilder AddFunctionAssembly(this IOrleansRpcBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddFunctionAssembly(FunctionAssemblyLoader.Load(path));
    }

    /// <summary>Configures the Orleans silo (clustering, storage, streams, filters).</summary>
    public static IOrleansRpcBuilder ConfigureSilo(this IOrleansRpcBuilder builder, Action<ISiloBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        configure(builder.Silo);
        return builder;
    }

    /// <summary>Registers functions.</summary>
    public static IOrleansRpcBuilder ConfigureServer(this IOrleansRpcBuilder builder, Action<IRapServerBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        configure(builder.Server);
        return builder;
    }
}
