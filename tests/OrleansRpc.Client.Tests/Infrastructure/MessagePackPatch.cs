using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>Rebuilds msgpack values with one part replaced, keeping every other encoding as it was.</summary>
internal static class MessagePackPatch
{
    public static MessagePackValue WithEntry(MessagePackValue map, string key, MessagePackValue value)
    {
        var entries = map.AsMap().Select(e => e.Key.Kind == MessagePackValueKind.String && e.Key.AsString() == key
            ? new KeyValuePair<MessagePackValue, MessagePackValue>(e.Key, value)
            : e).ToList();
        return MessagePackValue.FromMap(entries);
    }

    public static MessagePackValue WithoutEntry(MessagePackValue map, string key) =>
        MessagePackValue.FromMap(map.AsMap().Where(e => !(e.Key.Kind == MessagePackValueKind.String && e.Key.AsString() == key)).ToList());

    public static MessagePackValue WithItem(MessagePackValue array, int index, MessagePackValue value)
    {
        var items = array.AsArray().ToArray();
        items[index] = value;
        return MessagePackValue.FromArray(items);
    }
}
