namespace OrleansRpc.Grains.Tests.TestGrains;

/// <summary>Every supported method shape, on a non-public interface.</summary>
internal interface IShapesGrain : IGrainWithStringKey
{
    Task NoResult();

    Task<int> Add(int a, int b);

    ValueTask<string> Concat(string a, string b, string c, CancellationToken cancellationToken);

    ValueTask Void(CancellationToken cancellationToken);

    Task<int> Seven(int a, int b, int c, int d, int e, int f, int g);

    Task<InternalPayload> Payload(InternalPayload payload);
}

internal sealed record InternalPayload(string Text);

internal sealed class ShapesGrain : Grain, IShapesGrain
{
    public Task NoResult() => Task.CompletedTask;

    public Task<int> Add(int a, int b) => Task.FromResult(a + b);

    public async ValueTask<string> Concat(string a, string b, string c, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return a + b + c + cancellationToken.CanBeCanceled;
    }

    public ValueTask Void(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public Task<int> Seven(int a, int b, int c, int d, int e, int f, int g) => Task.FromResult(a + b + c + d + e + f + g);

    public Task<InternalPayload> Payload(InternalPayload payload) => Task.FromResult(payload with { Text = payload.Text + "!" });
}
