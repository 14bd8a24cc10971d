using OrleansRpc.Grains.Messaging;
using OrleansRpc.Grains.Tests.Infrastructure;
using OrleansRpc.Grains.Tests.TestGrains;

namespace OrleansRpc.Grains.Tests;

/// <summary>
/// The rap unary path (low-level invoke on a [StatelessWorker], inline, a response timeout, a cancellable caller
/// token) with pooled requests: a request served by an earlier call never carries that call's outcome, token or
/// cancellation into the next one. Each test uses its own state type, so its requests live in their own pool.
/// </summary>
[Collection(nameof(DiagnosticsTests))] // a call is pooled only while no activity listener (process-wide) is on
public class RequestPoolingTests
{
    private static readonly GrainMethod s_whoAmI = GrainMethod.Create<IWorkerGrain>(nameof(IWorkerGrain.WhoAmI));

    [Fact]
    public async Task A_pooled_request_is_reset_between_calls()
    {
        await using var silo = await StartAsync();
        var reference = silo.GrainFactory.GetGrain<IWorkerGrain>("pool-reset").AsGrainReference();
        using var caller1 = new CancellationTokenSource();
        CancellationToken token1 = default;
        var pooled = await InlinePooledCallAsync<ResetTag>(reference, caller1.Token, 1, t => token1 = t);

        using var caller2 = new CancellationTokenSource();
        var body2 = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken token2 = default;
        var call2 = InvokeOn(pooled, reference, caller2.Token, t =>
        {
            token2 = t;
            return new ValueTask<int>(body2.Task);
        });
        Assert.Null(GrainRequestPool<GrainRequest<IWorkerGrain, Call<ResetTag>, int>>.TryRent());
        Assert.False(call2.IsCompleted);
        Assert.Null(pooled.Result); // not the previous call's 1
        Assert.False(pooled.IsCallerCompleted);
        Assert.NotEqual(token1, token2);

        // The first call's caller cancelling later must not reach the request now serving the second call.
        await caller1.CancelAsync();
        Assert.False(call2.IsCompleted);
        Assert.False(token1.IsCancellationRequested);
        Assert.False(token2.IsCancellationRequested);

        body2.SetResult(2);
        Assert.Equal(2, await call2.AsTask().WithTestTimeout());
        Assert.False(token2.IsCancellationRequested);
    }

    [Fact]
    public async Task A_callee_keeping_its_token_is_not_cancelled_by_later_calls_on_the_same_request()
    {
        await using var silo = await StartAsync();
        var reference = silo.GrainFactory.GetGrain<IWorkerGrain>("pool-keep").AsGrainReference();
        using var caller = new CancellationTokenSource();
        CancellationToken kept = default;
        var pooled = await InlinePooledCallAsync<KeepTag>(reference, caller.Token, 1, t => kept = t);
        Assert.True(kept.CanBeCanceled);

        // The same request serves a call that times out (its callee's token is cancelled)...
        var timedOutEntered = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var timedOut = InvokeOn(pooled, reference, caller.Token, t =>
        {
            timedOutEntered.SetResult(t);
            return HangAsync(t);
        });
        var timedOutToken = await timedOutEntered.Task.WithTestTimeout();
        silo.Time.Advance(TimeSpan.FromSeconds(6));
        await Assert.ThrowsAsync<TimeoutException>(() => timedOut.AsTask().WithTestTimeout());
        Assert.True(timedOutToken.IsCancellationRequested);

        // ...and then a call cancelled by its caller.
        using var canceller = new CancellationTokenSource();
        var cancelledEntered = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = Invoke<KeepTag>(reference, canceller.Token, t =>
        {
            cancelledEntered.SetResult(t);
            return HangAsync(t);
        });
        var cancelledToken = await cancelledEntered.Task.WithTestTimeout();
        await canceller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.AsTask().WithTestTimeout());
        Assert.True(cancelledToken.IsCancellationRequested);

        Assert.False(kept.IsCancellationRequested);
    }

    [Fact]
    public async Task A_timed_out_calls_late_completion_does_not_touch_the_next_call()
    {
        await using var silo = await StartAsync();
        var reference = silo.GrainFactory.GetGrain<IWorkerGrain>("pool-late").AsGrainReference();
        using var caller = new CancellationTokenSource();
        var pooled = await InlinePooledCallAsync<LateTag>(reference, caller.Token, 1, _ => { });

        var late = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lateEntered = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var timedOut = InvokeOn(pooled, reference, caller.Token, t =>
        {
            lateEntered.SetResult(t);
            return new ValueTask<int>(late.Task);
        });
        var lateToken = await lateEntered.Task.WithTestTimeout();
        silo.Time.Advance(TimeSpan.FromSeconds(6));
        await Assert.ThrowsAsync<TimeoutException>(() => timedOut.AsTask().WithTestTimeout());
        Assert.True(lateToken.IsCancellationRequested);

        var next = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var nextCall = Invoke<LateTag>(reference, caller.Token, _ => new ValueTask<int>(next.Task));

        // The timed-out callee finishes now: its request (not pooled) completes nothing else.
        late.SetResult(111);
        await WaitUntilAsync(() => pooled.Activation!.RunningCount == 0);
        Assert.False(nextCall.IsCompleted);
        next.SetResult(2);
        Assert.Equal(2, await nextCall.AsTask().WithTestTimeout());

        // The timed-out request never went back to the pool (it might still be touched by its callee or timer).
        for (var rented = GrainRequestPool<GrainRequest<IWorkerGrain, Call<LateTag>, int>>.TryRent(); rented is not null;
             rented = GrainRequestPool<GrainRequest<IWorkerGrain, Call<LateTag>, int>>.TryRent())
        {
            Assert.NotSame(pooled, rented);
        }
    }

    [Fact]
    public async Task Caller_cancellation_still_cancels_the_callee_of_a_pooled_request()
    {
        await using var silo = await StartAsync();
        var reference = silo.GrainFactory.GetGrain<IWorkerGrain>("pool-cancel").AsGrainReference();
        using var first = new CancellationTokenSource();
        var pooled = await InlinePooledCallAsync<CancelTag>(reference, first.Token, 1, _ => { });

        using var caller = new CancellationTokenSource();
        var entered = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var call = InvokeOn(pooled, reference, caller.Token, t =>
        {
            entered.SetResult(t);
            return HangAsync(t);
        });
        var token = await entered.Task.WithTestTimeout();
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.AsTask().WithTestTimeout());
        Assert.True(token.IsCancellationRequested);

        // The runtime keeps serving calls afterwards, with fresh tokens.
        CancellationToken nextToken = default;
        Assert.Equal(3, await Invoke<CancelTag>(reference, first.Token, t =>
        {
            nextToken = t;
            return new ValueTask<int>(3);
        }).AsTask().WithTestTimeout());
        Assert.False(nextToken.IsCancellationRequested);
    }

    private static Task<TestSilo> StartAsync() => TestSilo.StartAsync();

    private static ValueTask<int> Invoke<TTag>(GrainReference reference, CancellationToken cancellationToken, Func<CancellationToken, ValueTask<int>> handler) =>
        reference.InvokeAsync<IWorkerGrain, Call<TTag>, int>(
            s_whoAmI,
            new Call<TTag>(handler),
            static (_, call, token) => call.Handler(token),
            new GrainCallOptions { AllowInlineExecution = true, ResponseTimeout = TimeSpan.FromSeconds(5), CancellationToken = cancellationToken });

    /// <summary>Makes the next call on this thread take <paramref name="request"/> from the pool (this thread's slot).</summary>
    private static ValueTask<int> InvokeOn<TTag>(
        GrainRequest<IWorkerGrain, Call<TTag>, int> request, GrainReference reference, CancellationToken cancellationToken, Func<CancellationToken, ValueTask<int>> handler)
    {
        while (GrainRequestPool<GrainRequest<IWorkerGrain, Call<TTag>, int>>.TryRent() is not null)
        {
        }

        GrainRequestPool<GrainRequest<IWorkerGrain, Call<TTag>, int>>.Return(request);
        return Invoke<TTag>(reference, cancellationToken, handler);
    }

    /// <summary>
    /// Makes calls until one runs inline and completes synchronously, so that its request went back to the pool at
    /// once (on this thread); takes that request out of the pool and returns it.
    /// </summary>
    private static async Task<GrainRequest<IWorkerGrain, Call<TTag>, int>> InlinePooledCallAsync<TTag>(
        GrainReference reference, CancellationToken cancellationToken, int value, Action<CancellationToken> observe)
    {
        for (var i = 0; i < 1000; i++)
        {
            await Task.Yield();
            var call = Invoke<TTag>(reference, cancellationToken, t =>
            {
                observe(t);
                return new ValueTask<int>(value);
            });
            if (call.IsCompletedSuccessfully)
            {
                Assert.Equal(value, call.Result);

                // A call with an activity is never pooled (another test's listener may have been on until just now).
                var pooled = GrainRequestPool<GrainRequest<IWorkerGrain, Call<TTag>, int>>.TryRent();
                if (pooled is not null)
                {
                    Assert.False(pooled.IsCallerCompleted);
                    Assert.Null(pooled.Activation);
                    return pooled;
                }

                continue;
            }

            Assert.Equal(value, await call);
        }

        Assert.Fail("No call ran inline, completed synchronously and went back to the pool.");
        return null;
    }

    // Ends only when cancelled (an activation with a never-ending turn could not be deactivated on a fake clock).
    private static async ValueTask<int> HangAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return -1;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 2000 && !condition(); i++)
        {
            await Task.Delay(5);
        }

        Assert.True(condition());
    }

    private readonly record struct Call<TTag>(Func<CancellationToken, ValueTask<int>> Handler);

    private sealed class ResetTag;

    private sealed class KeepTag;

    private sealed class LateTag;

    private sealed class CancelTag;
}
