using System.ComponentModel;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Proxies;

/// <summary>What emitted proxy methods call: one entry point per method shape. Not meant for direct use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RapProxyInvoker
{
    private readonly RapClient _client;
    private readonly RapProxyMethod[] _methods;

    internal RapProxyInvoker(RapClient client, RapProxyMethod[] methods)
    {
        _client = client;
        _methods = methods;
    }

    public ValueTask<T> InvokeValueTask<T>(int method, object?[] args)
    {
        var descriptor = _methods[method];
        var callArgs = descriptor.Bind(args, _client.Options.ProtocolVersion, out var options, out var cancellationToken);
        return _client.InvokeCoreAsync<T>(null, descriptor.Group, descriptor.Name, callArgs, options, cancellationToken);
    }

    public Task<T> InvokeTask<T>(int method, object?[] args) => InvokeValueTask<T>(method, args).AsTask();

    public async ValueTask InvokeValueTaskVoid(int method, object?[] args) =>
        await InvokeValueTask<MessagePackValue>(method, args).ConfigureAwait(false);

    public Task InvokeTaskVoid(int method, object?[] args) => InvokeValueTaskVoid(method, args).AsTask();

    public IAsyncEnumerable<T> Stream<T>(int method, object?[] args)
    {
        var descriptor = _methods[method];
        var callArgs = descriptor.Bind(args, _client.Options.ProtocolVersion, out var options, out var cancellationToken);
        return _client.StreamCoreAsync<T>(null, descriptor.Group, descriptor.Name, callArgs, options, cancellationToken);
    }

    public Task<RapChannel> OpenChannelTask(int method, object?[] args)
    {
        var descriptor = _methods[method];
        descriptor.Bind(args, _client.Options.ProtocolVersion, out _, out var cancellationToken);
        return _client.OpenChannelCoreAsync(null, descriptor.Group, descriptor.Name, null, cancellationToken);
    }

    public ValueTask<RapChannel> OpenChannelValueTask(int method, object?[] args) => new(OpenChannelTask(method, args));

    public async Task RunChannel(int method, object?[] args)
    {
        var descriptor = _methods[method];
        var handler = (Func<RapChannel, Task>)args[descriptor.HandlerIndex]!;
        var channel = await OpenChannelTask(method, args).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            await handler(channel).ConfigureAwait(false);
        }
    }
}
