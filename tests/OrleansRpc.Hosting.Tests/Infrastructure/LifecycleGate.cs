using Microsoft.Extensions.Hosting;

namespace OrleansRpc.Hosting.Tests;

/// <summary>
/// A hosted service that holds the host at one life-cycle step until released, so a test can look at the
/// host while it is exactly there (started but not yet "started", stopping but not yet stopped).
/// </summary>
internal sealed class LifecycleGate : IHostedLifecycleService
{
    public TaskCompletionSource StartedReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource ReleaseStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource StoppingReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource ReleaseStopping { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool HoldStarted { get; set; }

    public bool HoldStopping { get; set; }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        StartedReached.TrySetResult();
        if (HoldStarted)
        {
            await ReleaseStarted.Task.WaitAsync(cancellationToken);
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        StoppingReached.TrySetResult();
        if (HoldStopping)
        {
            await ReleaseStopping.Task.WaitAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
