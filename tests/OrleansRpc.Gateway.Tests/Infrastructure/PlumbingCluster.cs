using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Gateway.Connections;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Infrastructure;

/// <summary>Starts a <see cref="TestCluster"/> whose connections run <see cref="TestFrameHandler"/>.</summary>
internal static class PlumbingCluster
{
    public static Task<TestCluster> StartAsync(TestCalls calls, Action<TestClusterBuilder>? configure = null) =>
        TestCluster.StartAsync(builder =>
        {
            builder.ShutdownTimeout = TimeSpan.FromSeconds(20);
            builder.ConfigureServices(services =>
            {
                services.AddSingleton(calls);
                services.AddSingleton<IRapFrameHandlerFactory, TestFrameHandlerFactory>();
            });
            configure?.Invoke(builder);
        });

    public static byte[] Echo(long id, string text)
    {
        var raw = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePack.MessagePackWriter(raw);
        writer.Write(text);
        writer.Flush();
        return TestFrameHandler.Frame("echo", id, raw.WrittenSpan);
    }

    public static byte[] Hold(long id, int payloadBytes = 0)
    {
        var raw = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePack.MessagePackWriter(raw);
        writer.Write(new byte[payloadBytes].AsSpan());
        writer.Flush();
        return TestFrameHandler.Frame("hold", id, raw.WrittenSpan);
    }
}
