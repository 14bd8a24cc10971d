using OrleansRpc.Grains.Hosting;

namespace OrleansRpc.Grains.Tests.Infrastructure;

internal static class SiloBuilderTestExtensions
{
    public static ISiloBuilder AddMemoryStreamsForTests(this ISiloBuilder builder, int capacity = 2) =>
        builder.AddMemoryStreams("mem", o => o.BufferCapacity = capacity);
}
