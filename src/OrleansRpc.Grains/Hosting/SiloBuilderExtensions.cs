using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Grains.Configuration;
using OrleansRpc.Grains.Streams;

namespace OrleansRpc.Grains.Hosting;

/// <summary>What can be added to a silo.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>Hosts the grain class <typeparamref name="TGrain"/> (constructed through DI on activation).</summary>
    public static ISiloBuilder AddGrain<TGrain>(this ISiloBuilder builder)
        where TGrain : class, IGrain => builder.AddGrain(typeof(TGrain));

    /// <summary>Hosts the grain class <paramref name="grainClass"/>.</summary>
    public static ISiloBuilder AddGrain(this ISiloBuilder builder, Type grainClass)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(grainClass);
        if (!grainClass.IsClass || grainClass.IsAbstract || !typeof(IGrain).IsAssignableFrom(grainClass))
        {
            throw new ArgumentException($"{grainClass} is not a concrete class implementing a grain interface.", nameof(grainClass));
        }

        builder.Services.Configure<GrainTypeOptions>(o => o.Classes.Add(grainClass));
        return builder;
    }

    /// <summary>Hosts every concrete grain class in <paramref name="assembly"/>.</summary>
    public static ISiloBuilder AddGrainsFromAssembly(this ISiloBuilder builder, Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        foreach (var type in assembly.GetTypes())
        {
            if (type.IsClass && !type.IsAbstract && !type.ContainsGenericParameters && typeof(IGrain).IsAssignableFrom(type))
            {
                builder.AddGrain(type);
            }
        }

        return builder;
    }

    /// <summary>Adds a silo-wide incoming call filter, resolved from DI. Filters run in registration order.</summary>
    public static ISiloBuilder AddIncomingGrainCallFilter<TFilter>(this ISiloBuilder builder)
        where TFilter : class, IIncomingGrainCallFilter
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IIncomingGrainCallFilter, TFilter>();
        return builder;
    }

    /// <summary>Adds a silo-wide incoming call filter instance.</summary>
    public static ISiloBuilder AddIncomingGrainCallFilter(this ISiloBuilder builder, IIncomingGrainCallFilter filter)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(filter);
        return builder;
    }

    /// <summary>Adds a silo-wide incoming call filter delegate.</summary>
    public static ISiloBuilder AddIncomingGrainCallFilter(this ISiloBuilder builder, Func<IIncomingGrainCallContext, Task> filter) =>
        builder.AddIncomingGrainCallFilter(new DelegateIncomingGrainCallFilter(filter));

    /// <summary>
    /// Adds a memory stream provider named <paramref name="name"/> with bounded, back-pressured subscriptions.
    /// Get it with <c>GetStreamProvider(name)</c>.
    /// </summary>
    public static ISiloBuilder AddMemoryStreams(this ISiloBuilder builder, string name, Action<MemoryStreamOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = builder.Services.AddOptions<MemoryStreamOptions>(name).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddKeyedSingleton<IStreamProvider>(name, (sp, key) => MemoryStreamProvider.Create(sp, (string)key!));
        return builder;
    }

    /// <summary>Configures one of the runtime's options types.</summary>
    public static ISiloBuilder Configure<TOptions>(this ISiloBuilder builder, Action<TOptions> configure)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        return builder;
    }

    private sealed class DelegateIncomingGrainCallFilter(Func<IIncomingGrainCallContext, Task> filter) : IIncomingGrainCallFilter
    {
        public Task Invoke(IIncomingGrainCallContext context) => filter(context);
    }
}
