using OrleansRpc.Grains.Configuration;
using OrleansRpc.Grains.Hosting;
using OrleansRpc.Grains.Tests.Infrastructure;
using OrleansRpc.Grains.Tests.TestGrains;

namespace OrleansRpc.Grains.Tests;

public class TimeoutAndExceptionTests
{
    [Fact]
    public async Task A_timed_out_call_gets_TimeoutException_and_the_callee_is_cancelled()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ITimeoutGrain>("t");
        var call = grain.Hang(CancellationToken.None);
        await silo.Probe.Signal("hang-entered").Task.WithTestTimeout();

        silo.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(call.IsCompleted);
        silo.Time.Advance(TimeSpan.FromSeconds(1.5)); // [ResponseTimeout("00:00:05")]

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => call.WithTestTimeout());
        Assert.StartsWith("Response did not arrive on time in 00:00:05", timeout.Message, StringComparison.Ordinal);
        await silo.Probe.Signal("callee-cancelled").Task.WithTestTimeout();
    }

    [Fact]
    public async Task A_token_kept_after_its_call_returned_is_never_cancelled_by_later_calls()
    {
        await using var silo = await TestSilo.StartAsync(b => b.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(2)));
        var grain = silo.GrainFactory.GetGrain<ITokenKeepingGrain>("keep");
        for (var i = 0; i < 20; i++)
        {
            await grain.Keep(CancellationToken.None).WithTestTimeout();
        }

        var kept = TokenKeepingGrain.Kept.ToArray();
        Assert.True(kept.Length >= 20);

        // Later calls that time out (their callee tokens are cancelled) and that are cancelled by their callers.
        for (var i = 0; i < 20; i++)
        {
            var hang = grain.Hang(CancellationToken.None);
            silo.Time.Advance(TimeSpan.FromSeconds(3));
            await Assert.ThrowsAsync<TimeoutException>(() => hang.WithTestTimeout());
            using var caller = new CancellationTokenSource();
            var cancelled = grain.Hang(caller.Token);
            await caller.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WithTestTimeout());
        }

        await silo.Probe.Signal("token-hang-cancelled").Task.WithTestTimeout();
        Assert.All(kept, token => Assert.False(token.IsCancellationRequested));
    }

    [Fact]
    public async Task Without_configuration_the_response_timeout_is_30_seconds()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ITimeoutGrain>("default-30s");
        var call = grain.HangDefault(CancellationToken.None);
        await silo.Probe.Signal("hang-entered").Task.WithTestTimeout();
        silo.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(call.IsCompleted);
        silo.Time.Advance(TimeSpan.FromSeconds(1.5));
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => call.WithTestTimeout());
        Assert.Contains("00:00:30", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_and_per_call_timeouts_apply()
    {
        await using var silo = await TestSilo.StartAsync(b => b.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10)));
        var grain = silo.GrainFactory.GetGrain<ITimeoutGrain>("d");
        var call = grain.HangDefault(CancellationToken.None);
        await silo.Probe.Signal("hang-entered").Task.WithTestTimeout();
        silo.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(call.IsCompleted);
        silo.Time.Advance(TimeSpan.FromSeconds(1.5));
        await Assert.ThrowsAsync<TimeoutException>(() => call.WithTestTimeout());

        // The server passes a run timeout per call through the low-level API.
        var reference = silo.GrainFactory.GetGrain<ITimeoutGrain>("p").AsGrainReference();
        var perCall = reference.InvokeAsync<ITimeoutGrain, int, int>(
            GrainMethod.Create<ITimeoutGrain>(nameof(ITimeoutGrain.HangDefault)),
            0,
            static (g, _, ct) => new ValueTask<int>(g.HangDefault(ct)),
            new GrainCallOptions { ResponseTimeout = TimeSpan.FromSeconds(1) }).AsTask();
        silo.Time.Advance(TimeSpan.FromSeconds(1.2));
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => perCall.WithTestTimeout());
        Assert.Contains("00:00:01", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_timeout_scope_overrides_the_timeout_of_proxy_calls()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ITimeoutGrain>("scope");
        Task call;
        using (ResponseTimeoutScope.Override(TimeSpan.FromSeconds(60)))
        {
            call = grain.Hang(CancellationToken.None); // [ResponseTimeout("00:00:05")] is overridden
        }

        Assert.Null(ResponseTimeoutScope.Current);
        await silo.Probe.Signal("hang-entered").Task.WithTestTimeout();
        silo.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(call.IsCompleted);
        silo.Time.Advance(TimeSpan.FromSeconds(31));
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => call.WithTestTimeout());
        Assert.Contains("00:01:00", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Caller_cancellation_cancels_the_callee()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ITimeoutGrain>("c");
        using var cts = new CancellationTokenSource();
        var call = grain.HangDefault(cts.Token);
        await silo.Probe.Signal("hang-entered").Task.WithTestTimeout();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WithTestTimeout());
        await silo.Probe.Signal("callee-cancelled").Task.WithTestTimeout();
    }

    [Fact]
    public async Task Exceptions_keep_their_type_and_message()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IThrowingGrain>(1);
        Assert.Equal("sync boom", (await Assert.ThrowsAsync<CustomGrainException>(() => grain.ThrowSync())).Message);
        Assert.Equal("async boom", (await Assert.ThrowsAsync<CustomGrainException>(() => grain.ThrowAfterAwait())).Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.ThrowValueTask().AsTask());

        // The activation survives its methods' exceptions.
        await Assert.ThrowsAsync<CustomGrainException>(() => grain.ThrowSync());
    }
}
