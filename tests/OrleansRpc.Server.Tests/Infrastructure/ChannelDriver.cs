using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Tests;

/// <summary>
/// Drives a channel as the gateway does, through its <see cref="RapChannelProxy"/>: delivers client messages as
/// msgpack values, reads the server's messages one at a time from the outbox (lazily, so a test controls
/// back-pressure), and drops or aborts it. Disposing it ends the channel (connection lost) and releases the outbox.
/// </summary>
internal sealed class ChannelDriver : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly CancellationTokenSource _reading = new();
    private IAsyncEnumerator<RapChannelEvent>? _outbox;

    public ChannelDriver(RapChannelProxy proxy) => Proxy = proxy;

    public RapChannelProxy Proxy { get; }

    /// <summary>The end event, once <see cref="ReadAsync"/> or <see cref="ReadToEndAsync"/> reached it.</summary>
    public RapChannelEvent? End { get; private set; }

    public Task<RapChannelEndReason> Completion => Proxy.Completion;

    /// <summary>Opens a channel function through the dispatcher as the gateway does on a DECLARE.</summary>
    public static ChannelDriver Open(TestServer server, string name, RapCallContext? context = null, string channelId = "1", CancellationToken connectionClosed = default, string group = "default")
        => Open(server.Dispatcher, name, context, channelId, connectionClosed, group);

    public static ChannelDriver Open(RapDispatcher dispatcher, string name, RapCallContext? context = null, string channelId = "1", CancellationToken connectionClosed = default, string group = "default")
    {
        var function = dispatcher.Registry.Find(group, name, RapFunctionKind.Channel) ?? throw new InvalidOperationException($"no channel {group}/{name}");
        return new ChannelDriver(dispatcher.OpenChannel(function, context ?? TestServer.Context(), channelId, connectionClosed));
    }

    /// <summary>A client MSG body; completes when the handler's inbox took it.</summary>
    public Task DeliverAsync(MessagePackValue body, CancellationToken cancellationToken = default)
        => Proxy.DeliverAsync(Msgpack.Bytes(body), cancellationToken);

    /// <summary>The next server→client message; throws when the channel ended instead (the end event is kept in <see cref="End"/>).</summary>
    public async Task<MessagePackValue> ReadAsync()
    {
        var item = await NextAsync() ?? throw new InvalidOperationException("the outbox ended without an end event");
        if (item.IsEnd)
        {
            throw new InvalidOperationException($"the channel ended ({item.EndReason}, fault {item.Fault ?? "none"}) instead of sending a message");
        }

        return MessagePackValue.Parse(item.Message);
    }

    /// <summary>Reads every remaining message and the end event; returns the messages.</summary>
    public async Task<List<MessagePackValue>> ReadToEndAsync()
    {
        var messages = new List<MessagePackValue>();
        while (End is null)
        {
            var item = await NextAsync() ?? throw new InvalidOperationException("the outbox ended without an end event");
            if (!item.IsEnd)
            {
                messages.Add(MessagePackValue.Parse(item.Message));
            }
        }

        return messages;
    }

    /// <summary>The client's drop (what the gateway does on a client DROP).</summary>
    public bool Drop() => Proxy.End(RapChannelEndReason.PeerDropped);

    /// <summary>The connection went away.</summary>
    public bool Abort() => Proxy.End(RapChannelEndReason.ConnectionLost);

    public async ValueTask DisposeAsync()
    {
        Proxy.End(RapChannelEndReason.ConnectionLost);
        if (_outbox is { } outbox)
        {
            try
            {
                await outbox.DisposeAsync();
            }
            catch (Exception)
            {
                // A read still pending (a test that gave up waiting) or the silo already gone: nothing to release.
            }
        }

        _reading.Dispose();
    }

    private async Task<RapChannelEvent?> NextAsync()
    {
        if (End is not null)
        {
            throw new InvalidOperationException("the channel has ended");
        }

        _outbox ??= Proxy.ReadOutgoingAsync(_reading.Token).GetAsyncEnumerator(_reading.Token);
        if (!await _outbox.MoveNextAsync().AsTask().WaitAsync(Patience))
        {
            return null;
        }

        var item = _outbox.Current;
        if (item.IsEnd)
        {
            // As the gateway's pump: the end was read, the outbox is released (the grain forgets the channel).
            End = item;
            Proxy.Finished(item.EndReason);
            var outbox = _outbox;
            _outbox = null;
            await outbox.DisposeAsync();
        }

        return item;
    }
}
