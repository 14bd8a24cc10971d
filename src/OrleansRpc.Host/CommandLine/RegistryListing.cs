using OrleansRpc.Client;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Host;

/// <summary>Reads the server's private <c>registry/list</c> (rap answers it to loopback clients only).</summary>
internal static class RegistryListing
{
    public const string Group = "registry";

    public const string Name = "list";

    public static ValueTask<MessagePackValue> GetAsync(RapClient client, CancellationToken cancellationToken) =>
        client.InvokeAsync<MessagePackValue>(Group, Name, RapArgs.Empty, cancellationToken: cancellationToken);

    /// <summary>The entries of a listing; fields that are missing or of another type read as empty/false.</summary>
    public static IEnumerable<RegistryEntry> Entries(MessagePackValue listing)
    {
        if (listing.Kind != MessagePackValueKind.Array)
        {
            throw new RapProtocolException($"registry/list answered a {listing.Kind}, not a list.");
        }

        foreach (MessagePackValue item in listing.AsArray())
        {
            if (item.Kind != MessagePackValueKind.Map)
            {
                continue;
            }

            yield return new RegistryEntry(
                Text(item, "group"),
                Text(item, "func_name"),
                Text(item, "func_type"),
                Flag(item, "is_gen_func"),
                Flag(item, "is_private"),
                Text(item, "doc"));
        }
    }

    private static string Text(MessagePackValue map, string key) =>
        map.TryGetValue(key, out MessagePackValue value) && value.IsString ? value.AsString() : string.Empty;

    private static bool Flag(MessagePackValue map, string key) =>
        map.TryGetValue(key, out MessagePackValue value) && value.Kind == MessagePackValueKind.Boolean && value.AsBoolean();
}
