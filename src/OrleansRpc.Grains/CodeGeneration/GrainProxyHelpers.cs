using System.ComponentModel;

namespace OrleansRpc.Grains.CodeGeneration;

/// <summary>Called by generated grain proxies; not for direct use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GrainProxyHelpers
{
    public static Task<TResult> InvokeTask<TGrain, TState, TResult>(
        GrainReference reference, GrainMethod method, TState state, Func<TGrain, TState, CancellationToken, ValueTask<TResult>> body, CancellationToken cancellationToken)
        where TGrain : class =>
        reference.InvokeAsync(method, state, body, new GrainCallOptions { CancellationToken = cancellationToken }).AsTask();

    public static ValueTask<TResult> InvokeValueTask<TGrain, TState, TResult>(
        GrainReference reference, GrainMethod method, TState state, Func<TGrain, TState, CancellationToken, ValueTask<TResult>> body, CancellationToken cancellationToken)
        where TGrain : class =>
        reference.InvokeAsync(method, state, body, new GrainCallOptions { CancellationToken = cancellationToken });

    public static Task InvokeVoidTask<TGrain, TState>(
        GrainReference reference, GrainMethod method, TState state, Func<TGrain, TState, CancellationToken, ValueTask> body, CancellationToken cancellationToken)
        where TGrain : class =>
        reference.InvokeAsync(method, state, body, new GrainCallOptions { CancellationToken = cancellationToken }).AsTask();

    public static ValueTask InvokeVoidValueTask<TGrain, TState>(
        GrainReference reference, GrainMethod method, TState state, Func<TGrain, TState, CancellationToken, ValueTask> body, CancellationToken cancellationToken)
        where TGrain : class =>
        reference.InvokeAsync(method, state, body, new GrainCallOptions { CancellationToken = cancellationToken });

    public static IAsyncEnumerable<TItem> InvokeAsyncEnumerable<TGrain, TState, TItem>(
        GrainReference reference, GrainMethod method, TState state, Func<TGrain, TState, CancellationToken, IAsyncEnumerable<TItem>> body, CancellationToken cancellationToken)
        where TGrain : class =>
        reference.InvokeAsyncEnumerable(method, state, body, new GrainCallOptions { CancellationToken = cancellationToken });
}
