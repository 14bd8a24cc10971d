using ConformanceService;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Server.Tests;

/// <summary>
/// A real Orleans silo in this process (localhost clustering on a free port) with the rap server and the given
/// functions; calls go through its <see cref="RapDispatcher"/> into the grains, as the gateway's do. Builds contexts
/// like the gateway does.
/// </summary>
internal sealed class TestServer : IDisposable, IAsyncDisposable
{
    private readonly IHost _host;
    private static Orleans.Runtime.IGrainContextAccessor? s_grainContext;
    private readonly Orleans.Runtime.IGrainContextAccessor _grainContext;

    public TestServer(Action<RapFunctionRegistry>? register = null, Action<RapServerOptions>? configure = null, TimeProvider? time = null, Action<IServiceCollection>? services = null)
    {
        new RapServerOptions().Apply(configure).Validate();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddOrleans(silo => silo.UseLocalhostClustering(RapSiloBuilderExtensions.FreeLoopbackPort(), 0));
        if (time is not null)
        {
            builder.Services.AddKeyedSingleton(RapServerOptions.TimeProviderKey, time);
        }

        var server = builder.Services.AddRapServer(configure);
        if (register is not null)
        {
            builder.Services.AddSingleton(new RapFunctionRegistration((registry, _) => register(registry)));
        }

        services?.Invoke(builder.Services);
        _host = builder.Build();
        _host.StartAsync().GetAwaiter().GetResult();
        Time = time ?? TimeProvider.System;
        Registry = _host.Services.GetRequiredService<RapFunctionRegistry>();
        Dispatcher = _host.Services.GetRequiredService<RapDispatcher>();
        Grains = _host.Services.GetRequiredService<IGrainFactory>();
        Executor = _host.Services.GetRequiredService<RapFunctionExecutor>();
        _grainContext = _host.Services.GetRequiredService<Orleans.Runtime.IGrainContextAccessor>();
        s_grainContext = _grainContext;
        _ = server;
    }

    public TimeProvider Time { get; }

    public RapFunctionRegistry Registry { get; }

    public RapDispatcher Dispatcher { get; }

    public IGrainFactory Grains { get; }

    /// <summary>The silo's executor (where functions run; it knows whether a synchronous function runs inline).</summary>
    public RapFunctionExecutor Executor { get; }

    /// <summary>
    /// The grain whose turn the calling code runs in (e.g. "functiongroup/default"), or null outside any grain turn
    /// (a thread-pool work item, a test thread).
    /// </summary>
    public string? CurrentGrain => _grainContext.GrainContext?.GrainId.ToString();

    /// <summary>
    /// <see cref="CurrentGrain"/> for code that has no server at hand (function bodies written before the server
    /// exists): Orleans' accessor reads the running thread's grain context, so any silo's accessor answers the same.
    /// </summary>
    public static string? GrainNow => s_grainContext?.GrainContext?.GrainId.ToString();

    /// <summary><see cref="CurrentGrainId"/> for code that has no server at hand (see <see cref="GrainNow"/>).</summary>
    public static Orleans.Runtime.GrainId? CurrentGrainIdNow => s_grainContext?.GrainContext?.GrainId;

    /// <summary>The grain id of the current turn, or null outside any grain turn.</summary>
    public Orleans.Runtime.GrainId? CurrentGrainId => _grainContext.GrainContext?.GrainId;

    /// <summary>Whether a synchronous unary function currently runs inline in the grain turn.</summary>
    public bool RunsInline(string name, string group = "default")
        => Executor.RunsInline(Registry.Find(group, name, RapFunctionKind.Normal) ?? throw new InvalidOperationException($"no function {group}/{name}"));

    public IServiceProvider Services => _host.Services;

    /// <summary>The conformance service, registered through DI as a host would, on a silo of its own.</summary>
    public static TestServer Conformance(Action<RapServerOptions>? configure = null)
        => new(configure: o =>
        {
            o.RunTimeout = ConformanceServiceBuilderExtensions.RunTimeout;
            configure?.Invoke(o);
        }, services: s => s.AddRapServer().AddConformanceFunctions());

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

    /// <summary>The number of items in a session's state (its grain).</summary>
    public Task<int> SessionItemsAsync(string sessionId) => Grains.GetGrain<ISessionGrain>(sessionId).GetItemCountAsync();

    /// <summary>A silo with functions registered through the server builder (as a host does).</summary>
    public static TestServer Start(Action<IRapServerBuilder> register, Action<RapServerOptions>? configure = null, TimeProvider? time = null)
        => new(configure: configure, time: time, services: s => register(s.AddRapServer()));

    public T GetRequiredService<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    public void Dispose()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }
}

/// <summary>Small helpers for <see cref="TestServer"/>.</summary>
internal static class Hosting
{
    public static RapServerOptions Apply(this RapServerOptions options, Action<RapServerOptions>? configure)
    {
        configure?.Invoke(options);
        return options;
    }
}
