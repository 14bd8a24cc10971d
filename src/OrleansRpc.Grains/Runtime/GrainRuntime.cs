using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRpc.Grains.Catalog;
using OrleansRpc.Grains.CodeGeneration;
using OrleansRpc.Grains.Configuration;
using OrleansRpc.Grains.Diagnostics;
using OrleansRpc.Grains.Messaging;

namespace OrleansRpc.Grains.Runtime;

/// <summary>
/// The silo: routes calls to activations, sweeps response timeouts, collects idle activations and idle
/// stateless workers, and deactivates everything on stop.
/// </summary>
internal sealed class GrainRuntime : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private const int StatusCreated = 0;
    private const int StatusRunning = 1;
    private const int StatusStopping = 2;
    private const int StatusStopped = 3;

    private readonly IOptions<GrainTypeOptions> _grainTypes;
    private readonly IOptions<SiloMessagingOptions> _messagingOptions;
    private readonly IOptions<GrainCollectionOptions> _collectionOptions;
    private readonly IOptions<StatelessWorkerOptions> _workerOptions;
    private readonly Lazy<GrainClassRegistry> _registry;
    private readonly ConcurrentDictionary<(Type Interface, string? Prefix), GrainReferenceShared> _sharedByInterface = new();
    private readonly ConcurrentDictionary<(Type Interface, GrainType Type), GrainReferenceShared> _sharedByGrainType = new();
    private readonly double _timestampTicksPerTimeSpanTick;
    private volatile int _status;
    private ITimer? _timeoutTimer;
    private ITimer? _collectionTimer;
    private ITimer? _workerTimer;
    private int _sweeping;

    public GrainRuntime(
        IServiceProvider services,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IOptions<GrainTypeOptions> grainTypes,
        IOptions<SiloMessagingOptions> messagingOptions,
        IOptions<GrainCollectionOptions> collectionOptions,
        IOptions<StatelessWorkerOptions> workerOptions)
    {
        Services = services;
        TimeProvider = timeProvider;
        Logger = loggerFactory.CreateLogger("OrleansRpc.Grains.Runtime");
        _grainTypes = grainTypes;
        _messagingOptions = messagingOptions;
        _collectionOptions = collectionOptions;
        _workerOptions = workerOptions;
        _registry = new Lazy<GrainClassRegistry>(() => new GrainClassRegistry(_grainTypes.Value.Classes));
        _timestampTicksPerTimeSpanTick = (double)timeProvider.TimestampFrequency / TimeSpan.TicksPerSecond;
        Directory = new ActivationDirectory(this);
        Instruments = new GrainsInstruments(services.GetService<IMeterFactory>(), this);
        Filters = [];
        // Read (and validated) at start; until then, defaults.
        MessagingOptions = new SiloMessagingOptions();
        CollectionOptions = new GrainCollectionOptions();
    }

    public IServiceProvider Services { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    public ActivationDirectory Directory { get; }

    public GrainsInstruments Instruments { get; }

    public SiloMessagingOptions MessagingOptions { get; private set; }

    public GrainCollectionOptions CollectionOptions { get; private set; }

    public IIncomingGrainCallFilter[] Filters { get; private set; }

    public bool HasFilters { get; private set; }

    public int MaxEnqueuedRequests => MessagingOptions.MaxEnqueuedRequestsHardLimit;

    public bool CancelRequestOnTimeout => MessagingOptions.CancelRequestOnTimeout;

    public bool IsStopping => _status >= StatusStopping;

    public long TimestampAfter(TimeSpan timeSpan)
    {
        var now = TimeProvider.GetTimestamp();
        var delta = timeSpan.Ticks * _timestampTicksPerTimeSpanTick;
        return delta >= long.MaxValue - now ? long.MaxValue : now + (long)delta;
    }

    /// <summary>A [StatelessWorker] class's cap: <see cref="StatelessWorkerOptions.ClassSpecificMaxLocalWorkers"/>, else its attribute.</summary>
    public int GetMaxLocalWorkers(GrainClassInfo classInfo) =>
        _workerOptions.Value.ClassSpecificMaxLocalWorkers.TryGetValue(classInfo.ClassType.FullName ?? string.Empty, out var cap) && cap > 0
            ? cap
            : classInfo.MaxLocalWorkers;

    // ---- calls ----

    public ValueTask<TResult> InvokeAsync<TGrain, TState, TResult>(
        GrainReference reference,
        GrainMethod method,
        TState state,
        Func<TGrain, TState, CancellationToken, ValueTask<TResult>> body,
        GrainCallOptions options)
        where TGrain : class
    {
        var request = GrainRequest<TGrain, TState, TResult>.Rent(
            this, reference, method, GetTimeout(method, options), state, body, options.AllowInlineExecution);
        Send(request, options.CancellationToken);
        return request.AsValueTask();
    }

    public ValueTask InvokeAsync<TGrain, TState>(
        GrainReference reference,
        GrainMethod method,
        TState state,
        Func<TGrain, TState, CancellationToken, ValueTask> body,
        GrainCallOptions options)
        where TGrain : class
    {
        var request = VoidGrainRequest<TGrain, TState>.Rent(
            this, reference, method, GetTimeout(method, options), state, body, options.AllowInlineExecution);
        Send(request, options.CancellationToken);
        return request.AsValueTask();
    }

    public IAsyncEnumerable<TItem> InvokeAsyncEnumerable<TGrain, TState, TItem>(
        GrainReference reference,
        GrainMethod method,
        TState state,
        Func<TGrain, TState, CancellationToken, IAsyncEnumerable<TItem>> body,
        GrainCallOptions options)
        where TGrain : class =>
        new GrainAsyncEnumerable<TGrain, TState, TItem>(
            this, reference, method, state, body, options, GrainAsyncEnumerable<TItem>.DefaultMaxBatchSize);

    /// <summary>Routes an internal request (enumeration steps) to a specific activation.</summary>
    public void SendTo(ActivationData activation, GrainRequest request, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            request.TryCompleteCaller(new OperationCanceledException(cancellationToken));
            return;
        }

        if (cancellationToken.CanBeCanceled)
        {
            request.RegisterCallerCancellation(cancellationToken);
        }

        if (!activation.Enqueue(request))
        {
            request.TryCompleteCaller(new EnumerationAbortedException($"The activation {activation.GrainId} holding the enumeration is gone."));
        }
    }

    /// <summary>Sends a request left waiting on a deactivated activation to a new one.</summary>
    public void Redispatch(GrainRequest request)
    {
        if (request.IsCallerCompleted)
        {
            return;
        }

        if (request.BypassFilters)
        {
            // Enumeration steps belong to the activation that is gone.
            request.TryCompleteCaller(new EnumerationAbortedException());
            return;
        }

        if (_status != StatusRunning)
        {
            request.TryCompleteCaller(new SiloUnavailableException("The silo is shutting down."));
            return;
        }

        Directory.Dispatch(request);
    }

    // ---- references ----

    public GrainReferenceShared GetShared(Type interfaceType, string? grainClassNamePrefix) =>
        _sharedByInterface.GetOrAdd(
            (interfaceType, grainClassNamePrefix),
            static (key, runtime) => new GrainReferenceShared(runtime, key.Interface, runtime._registry.Value.Resolve(key.Interface, key.Prefix)),
            this);

    public GrainReferenceShared GetShared(Type interfaceType, GrainType grainType) =>
        _sharedByGrainType.GetOrAdd(
            (interfaceType, grainType),
            static (key, runtime) =>
            {
                var classInfo = runtime._registry.Value.Resolve(key.Type);
                if (!key.Interface.IsAssignableFrom(classInfo.ClassType))
                {
                    throw new InvalidCastException($"Grain class {classInfo} (grain type '{key.Type}') does not implement {key.Interface}.");
                }

                return new GrainReferenceShared(runtime, key.Interface, classInfo);
            },
            this);

    public static object CreateReference(GrainReferenceShared shared, GrainId grainId) =>
        shared.InterfaceType.IsInterface && shared.InterfaceType != typeof(IAddressable)
            ? GrainProxyFactory.Create(shared, grainId)
            : new GrainReference(shared, grainId);

    // ---- life cycle ----

    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(GrainRuntime), ServiceLifecycleStage.RuntimeServices, StartAsync, StopAsync);
        lifecycle.Subscribe(nameof(GrainRuntime), ServiceLifecycleStage.GrainDeactivation, static _ => Task.CompletedTask, DeactivateAllAsync);
    }

    public void Dispose()
    {
        _timeoutTimer?.Dispose();
        _collectionTimer?.Dispose();
        _workerTimer?.Dispose();
        Instruments.Dispose();
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        // Reading the options validates them (IValidateOptions), also when no generic host drives ValidateOnStart.
        MessagingOptions = _messagingOptions.Value;
        CollectionOptions = _collectionOptions.Value;
        var workers = _workerOptions.Value;
        _ = _registry.Value;
        Filters = Services.GetServices<IIncomingGrainCallFilter>().ToArray();
        HasFilters = Filters.Length > 0;

        _timeoutTimer = TimeProvider.CreateTimer(static s => ((GrainRuntime)s!).SweepTimeouts(), this, MessagingOptions.ResponseTimeoutCheckPeriod, MessagingOptions.ResponseTimeoutCheckPeriod);
        _collectionTimer = TimeProvider.CreateTimer(static s => ((GrainRuntime)s!).CollectIdleActivations(), this, CollectionOptions.CollectionQuantum, CollectionOptions.CollectionQuantum);
        _workerTimer = TimeProvider.CreateTimer(static s => ((GrainRuntime)s!).InspectWorkers(), this, workers.IdleWorkersInspectionPeriod, workers.IdleWorkersInspectionPeriod);
        _status = StatusRunning;
        GrainsLog.SiloStarted(Logger, _grainTypes.Value.Classes.Count, Filters.Length);
        return Task.CompletedTask;
    }

    private Task StopAsync(CancellationToken cancellationToken)
    {
        _status = StatusStopped;
        _timeoutTimer?.Dispose();
        _collectionTimer?.Dispose();
        _workerTimer?.Dispose();
        return Task.CompletedTask;
    }

    private async Task DeactivateAllAsync(CancellationToken cancellationToken)
    {
        _status = StatusStopping;
        var reason = new DeactivationReason(DeactivationReasonCode.ShuttingDown, "The silo is shutting down.");
        var activations = Directory.GetActivations();
        GrainsLog.DeactivatingAll(Logger, activations.Count);
        var tasks = activations.ConvertAll(a => a.StartDeactivation(reason));
        try
        {
            await Task.WhenAll(tasks).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            GrainsLog.ShutdownTimedOut(Logger, tasks.Count(t => !t.IsCompleted));
        }
    }

    private TimeSpan GetTimeout(GrainMethod method, in GrainCallOptions options) =>
        options.ResponseTimeout ?? ResponseTimeoutScope.Current ?? method.ResponseTimeout ?? MessagingOptions.ResponseTimeout;

    private void SweepTimeouts()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        try
        {
            var now = TimeProvider.GetTimestamp();
            var expired = new List<GrainRequest>();
            foreach (var activation in Directory.GetActivations())
            {
                activation.CollectExpired(now, expired);
            }

            foreach (var request in expired)
            {
                // Off the timer thread: the caller's continuation may run inline with the completion.
                ThreadPool.UnsafeQueueUserWorkItem(static r => r.OnTimeout(), request, preferLocal: false);
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private void CollectIdleActivations()
    {
        var now = TimeProvider.GetTimestamp();
        var options = CollectionOptions;
        foreach (var activation in Directory.GetActivations())
        {
            var classInfo = activation.ClassInfo;
            if (classInfo.KeepAlive)
            {
                continue;
            }

            var age = classInfo.CollectionAgeLimit
                ?? (options.ClassSpecificCollectionAge.TryGetValue(classInfo.ClassType.FullName ?? string.Empty, out var specific) ? specific : options.CollectionAge);
            activation.TryCollectIdle(now, age);
        }
    }

    private void InspectWorkers()
    {
        var options = _workerOptions.Value;
        foreach (var pool in Directory.GetPools())
        {
            if (pool.ClassInfo.RemoveIdleWorkers && options.RemoveIdleWorkers)
            {
                pool.InspectIdleWorkers(options.MinIdleCyclesBeforeRemoval);
            }
        }
    }

    private void Send(GrainRequest request, CancellationToken cancellationToken)
    {
        if (_status != StatusRunning && !(_status == StatusStopping))
        {
            request.TryCompleteCaller(new SiloUnavailableException(
                _status == StatusCreated ? "The silo has not started yet." : "The silo has stopped."));
            return;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            request.TryCompleteCaller(new OperationCanceledException(cancellationToken));
            return;
        }

        Instruments.Calls.Add(1);

        // Registered before dispatching: the turn may run (and finish) inline right here, and must find it to remove.
        if (cancellationToken.CanBeCanceled)
        {
            request.RegisterCallerCancellation(cancellationToken);
        }

        Directory.Dispatch(request);
    }
}
