using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Server;

/// <summary>
/// The channels running on one grain activation (a <see cref="ChannelGrain"/> holds one, a <see cref="SessionGrain"/>
/// any number): opens them and starts their handlers, routes deliveries, serves their outboxes and ends them.
/// </summary>
internal sealed class RapChannelHost(RapFunctionExecutor executor)
{
    private readonly ConcurrentDictionary<Guid, RapChannel> _channels = new();

    public int Count => _channels.Count;

    public Task OpenAsync(Guid key, string channelId, RapInvocation invocation, RapSession? session)
    {
        var context = invocation.CreateContext();
        context.Session = session;
        var channel = new RapChannel(channelId, context, executor.Options.ChannelBufferCapacity);
        if (!_channels.TryAdd(key, channel))
        {
            throw new InvalidOperationException($"channel {key} is already open");
        }

        var function = executor.Find(invocation, RapFunctionKind.Channel);
        if (function is null)
        {
            channel.HandlerFinished(new KeyNotFoundException(RapErrorMessages.NotFound(invocation.Name)));
            return Task.CompletedTask;
        }

        context.Function = function;
        context.CancellationToken = channel.Aborted;
        // The handler runs on the thread pool, not on the activation's scheduler: deliveries and the outbox keep
        // flowing whatever it does.
        channel.HandlerTask = Task.Run(() => RunAsync(function, channel, context));
        return Task.CompletedTask;
    }

    public Task DeliverAsync(Guid key, long sequence, byte[] message, CancellationToken cancellationToken)
        => _channels.TryGetValue(key, out RapChannel? channel) ? channel.DeliverAsync(sequence, message, cancellationToken) : Task.CompletedTask;

    public async IAsyncEnumerable<RapChannelEvent> ReadAsync(Guid key, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_channels.TryGetValue(key, out RapChannel? channel))
        {
            yield return new RapChannelEvent { EndReason = RapChannelEndReason.ConnectionLost };
            yield break;
        }

        try
        {
            await foreach (RapChannelEvent item in channel.ReadOutgoingAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            // The gateway read the end (or gave up reading): nothing will be sent any more.
            channel.Abort(RapChannelEndReason.ConnectionLost);
            await channel.HandlerTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _channels.TryRemove(key, out _);
        }
    }

    public Task EndAsync(Guid key, RapChannelEndReason reason)
    {
        if (_channels.TryGetValue(key, out RapChannel? channel))
        {
            channel.Abort(reason);
        }

        return Task.CompletedTask;
    }

    /// <summary>The activation goes away: every channel ends (their handlers are cancelled).</summary>
    public void AbortAll(RapChannelEndReason reason)
    {
        foreach (RapChannel channel in _channels.Values)
        {
            channel.Abort(reason);
        }
    }

    private async Task RunAsync(RapFunctionDescriptor function, RapChannel channel, RapCallContext context)
    {
        RapCallContext.Current = context;
        Exception? failure = null;
        try
        {
            await function.Invokers.Channel!(function.Target, channel, context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
            if (ex is not OperationCanceledException || !channel.IsClosed)
            {
                RapServerLog.ChannelHandlerFailed(executor.Logger, function.Group, function.Name, ex);
            }
        }
        finally
        {
            RapCallContext.Current = null;
        }

        channel.HandlerFinished(failure);
    }
}
