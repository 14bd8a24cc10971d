using System.Reflection;
using OrleansRpc.Grains.Catalog;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Messaging;

/// <summary>
/// Pull-based enumeration over grain calls, as Orleans does it: the first <see cref="MoveNextAsync"/> calls the grain
/// method (an ordinary call: filters, scheduling, timeout), then each empty buffer costs one
/// <c>[AlwaysInterleave]</c> step on the same activation, returning every item the producer had ready (up to the
/// batch size) or waiting for the next one. Disposal cancels the producer's token and disposes its enumerator.
/// </summary>
internal sealed class GrainAsyncEnumerator<TGrain, TState, TItem> : IAsyncEnumerator<TItem>
    where TGrain : class
{
    private static readonly GrainMethod s_moveNext = GrainMethod.Create(
        typeof(IAsyncEnumerableGrainExtension).GetMethod(nameof(IAsyncEnumerableGrainExtension.MoveNext), BindingFlags.Public | BindingFlags.Instance)!);

    private static readonly GrainMethod s_dispose = GrainMethod.Create(
        typeof(IAsyncEnumerableGrainExtension).GetMethod(nameof(IAsyncEnumerableGrainExtension.DisposeAsync), BindingFlags.Public | BindingFlags.Instance)!);

    private readonly GrainRuntime _runtime;
    private readonly GrainReference _reference;
    private readonly GrainMethod _method;
    private readonly TState _state;
    private readonly Func<TGrain, TState, CancellationToken, IAsyncEnumerable<TItem>> _body;
    private readonly GrainCallOptions _options;
    private readonly int _maxBatchSize;
    private readonly CancellationTokenSource _producerCts = new();
    private readonly CancellationTokenRegistration _callerRegistration;
    private readonly CancellationTokenRegistration _enumeratorRegistration;

    // Consumer side.
    private List<TItem>? _batch;
    private int _index;
    private bool _completed;
    private bool _started;
    private bool _disposed;

    // Producer side: only touched on the activation's scheduler.
    private ActivationData? _activation;
    private IAsyncEnumerator<TItem>? _producer;
    private ValueTask<bool>? _pendingMove;
    private Task? _runningStep;

    public GrainAsyncEnumerator(
        GrainRuntime runtime,
        GrainReference reference,
        GrainMethod method,
        TState state,
        Func<TGrain, TState, CancellationToken, IAsyncEnumerable<TItem>> body,
        GrainCallOptions options,
        int maxBatchSize,
        CancellationToken cancellationToken)
    {
        _runtime = runtime;
        _reference = reference;
        _method = method;
        _state = state;
        _body = body;
        _options = options;
        _maxBatchSize = maxBatchSize;
        _callerRegistration = options.CancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _producerCts);
        _enumeratorRegistration = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _producerCts);
    }

    public TItem Current { get; private set; } = default!;

    public async ValueTask<bool> MoveNextAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            if (_batch is not null && _index < _batch.Count)
            {
                Current = _batch[_index++];
                return true;
            }

            if (_completed)
            {
                return false;
            }

            if (!_started)
            {
                _started = true;
                await StartAsync().ConfigureAwait(false);
            }

            var request = GrainRequest<TGrain, GrainAsyncEnumerator<TGrain, TState, TItem>, EnumerationBatch<TItem>>.Rent(
                _runtime, _reference, s_moveNext, TimeSpan.MaxValue, this, static (_, self, _) => self.StepOnGrain(), bypassFilters: true);
            _runtime.SendTo(_activation!, request, _producerCts.Token);
            var batch = await request.AsValueTask().ConfigureAwait(false);
            _batch = batch.Items;
            _index = 0;
            _completed = batch.Completed;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _callerRegistration.DisposeAsync().ConfigureAwait(false);
        await _enumeratorRegistration.DisposeAsync().ConfigureAwait(false);
        await _producerCts.CancelAsync().ConfigureAwait(false);
        if (_activation is not null)
        {
            var request = VoidGrainRequest<TGrain, GrainAsyncEnumerator<TGrain, TState, TItem>>.Rent(
                _runtime, _reference, s_dispose, TimeSpan.MaxValue, this, static (_, self, _) => self.DisposeOnGrainAsync(), bypassFilters: true);
            _runtime.SendTo(_activation, request, CancellationToken.None);
            try
            {
                await request.AsValueTask().ConfigureAwait(false);
            }
            catch (EnumerationAbortedException)
            {
                // The activation is gone, and the producer with it.
            }
        }

        _producerCts.Dispose();
    }

    private async Task StartAsync()
    {
        // The grain method itself: an ordinary call, so filters and scheduling see it.
        await _runtime.InvokeAsync<TGrain, TState, bool>(
            _reference,
            _method,
            _state,
            (grain, state, _) =>
            {
                _activation = (ActivationData)RuntimeContext.Current!;
                _activation.EnumerationStarted();
                _producer = _body(grain, state, _producerCts.Token).GetAsyncEnumerator(_producerCts.Token);
                return new ValueTask<bool>(true);
            },
            _options).ConfigureAwait(false);
    }

    private ValueTask<EnumerationBatch<TItem>> StepOnGrain()
    {
        var step = FillBatchAsync();
        _runningStep = step.AsTask();
        return new ValueTask<EnumerationBatch<TItem>>((Task<EnumerationBatch<TItem>>)_runningStep);
    }

    private async ValueTask<EnumerationBatch<TItem>> FillBatchAsync()
    {
        var producer = _producer!;
        var items = new List<TItem>();
        var move = _pendingMove ?? producer.MoveNextAsync();
        _pendingMove = null;
        if (!await move)
        {
            return new EnumerationBatch<TItem>(items, Completed: true);
        }

        items.Add(producer.Current);

        // Batch what is ready now; never wait for more once there is something to send.
        while (items.Count < _maxBatchSize)
        {
            move = producer.MoveNextAsync();
            if (!move.IsCompletedSuccessfully)
            {
                _pendingMove = move;
                break;
            }

            if (!move.Result)
            {
                return new EnumerationBatch<TItem>(items, Completed: true);
            }

            items.Add(producer.Current);
        }

        return new EnumerationBatch<TItem>(items, Completed: false);
    }

    private async ValueTask DisposeOnGrainAsync()
    {
        try
        {
            if (_runningStep is { IsCompleted: false } running)
            {
                await running.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Current);
            }

            if (_pendingMove is { } pending)
            {
                _pendingMove = null;
                try
                {
                    await pending;
                }
#pragma warning disable CA1031 // The consumer is gone; the producer's late outcome has nobody to go to.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }

            if (_producer is not null)
            {
                await _producer.DisposeAsync();
            }
        }
        finally
        {
            _activation?.EnumerationEnded();
        }
    }
}
