using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Streams;

/// <summary>Finding stream providers and streams, as in Orleans.</summary>
public static class StreamProviderExtensions
{
    /// <summary>The provider registered under <paramref name="name"/>.</summary>
    public static IStreamProvider GetStreamProvider(this IClusterClient client, string name)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.ServiceProvider.GetStreamProvider(name);
    }

    /// <summary>The provider registered under <paramref name="name"/>, from inside a grain.</summary>
    public static IStreamProvider GetStreamProvider(this Grain grain, string name)
    {
        ArgumentNullException.ThrowIfNull(grain);
        return grain.GrainContext.ActivationServices.GetStreamProvider(name);
    }

    /// <summary>The provider registered under <paramref name="name"/>.</summary>
    public static IStreamProvider GetStreamProvider(this IServiceProvider services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetKeyedService<IStreamProvider>(name)
            ?? throw new KeyNotFoundException($"No stream provider named '{name}' is registered. Call AddMemoryStreams(\"{name}\").");
    }

    public static IAsyncStream<T> GetStream<T>(this IStreamProvider provider, string? @namespace, string key) =>
        provider.GetStream<T>(StreamId.Create(@namespace, key));

    public static IAsyncStream<T> GetStream<T>(this IStreamProvider provider, string? @namespace, Guid key) =>
        provider.GetStream<T>(StreamId.Create(@namespace, key));

    public static IAsyncStream<T> GetStream<T>(this IStreamProvider provider, string? @namespace, long key) =>
        provider.GetStream<T>(StreamId.Create(@namespace, key));
}
