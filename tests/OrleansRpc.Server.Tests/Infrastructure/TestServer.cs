using ConformanceService;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Server.Tests;

/// <summary>A dispatcher over a registry, for direct calls; builds contexts like the gateway does.</summary>
internal sealed class TestServer : IDisposable
{
    public TestServer(Action<RapFunctionRegistry>? register = null, Action<RapServerOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new RapServerOptions();
        configure?.Invoke(options);
        Time = time ?? TimeProvider.System;
        Registry = new RapFunctionRegistry();
        register?.Invoke(Registry);
        Sessions = new RapSessionStore(Options.Create(options), Time);
        Dispatcher = new RapDispatcher(Registry, Sessions, Options.Create(options), Time);
    }

    public TimeProvider Time { get; }

    public RapFunctionRegistry Registry { get; }

    public RapSessionStore Sessions { get; }

    public RapDispatcher Dispatcher { get; }

    /// <summary>The conformance service, registered through DI as a host would.</summary>
    public static ServiceProvider Conformance(Action<RapServerOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddRapServer(o =>
        {
            o.RunTimeout = ConformanceServiceBuilderExtensions.RunTimeout;
            configure?.Invoke(o);
        }).AddConformanceFunctions();
        return StartSilo(services.BuildServiceProvider());
    }

    /// <summary>Starts the hosted services (the silo) of a provider built without a generic host, as the host would.</summary>
    public static ServiceProvider StartSilo(ServiceProvider provider)
    {
        foreach (var hosted in provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        return provider;
    }

    public static RapCallContext Context(RapVersion version = RapVersion.Head, bool local = true, string? sessionId = null, DateTimeOffset? deadline = null)
        => new()
        {
            Version = version,
            ConnectionId = "c1",
            IsLocalPeer = local,
            Peer = new OrleansRpc.Protocol.Connections.RapPeer("10.0.0.7", 40001),
            SessionId = sessionId,
            Deadline = deadline,
        };

    public static async Task<(RapCallResult Result, MessagePackValue Value)> CallHead(
        RapDispatcher dispatcher, string group, string name, MessagePackValue body, RapCallContext? context = null, CancellationToken cancellationToken = default)
    {
        using var output = new PooledBufferWriter();
        var result = await dispatcher.InvokeAsync(context ?? Context(), group, name, RapArguments.Head(Msgpack.Bytes(body)), output, cancellationToken);
        return (result, result.IsSuccess ? MessagePackValue.Parse(output.WrittenSpan) : MessagePackValue.Nil);
    }

    public static async Task<(RapCallResult Result, MessagePackValue Value)> CallLegacy(
        RapDispatcher dispatcher, string group, string name, MessagePackValue param, MessagePackValue defaults, RapCallContext? context = null)
    {
        using var output = new PooledBufferWriter();
        var result = await dispatcher.InvokeAsync(context ?? Context(RapVersion.V0538), group, name,
            RapArguments.Legacy(Msgpack.Bytes(param), Msgpack.Bytes(defaults)), output);
        return (result, result.IsSuccess ? MessagePackValue.Parse(output.WrittenSpan) : MessagePackValue.Nil);
    }

    public Task<(RapCallResult Result, MessagePackValue Value)> Head(string name, MessagePackValue body, RapCallContext? context = null, string group = "default")
        => CallHead(Dispatcher, group, name, body, context);

    public Task<(RapCallResult Result, MessagePackValue Value)> Legacy(string name, MessagePackValue param, MessagePackValue? defaults = null, string group = "default")
        => CallLegacy(Dispatcher, group, name, param, defaults ?? Msgpack.Map());

    public void Dispose() => Sessions.Dispose();
}
