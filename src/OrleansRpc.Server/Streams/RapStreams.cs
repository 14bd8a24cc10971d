namespace OrleansRpc.Server;

/// <summary>The memory stream provider that carries generator items and channel messages (grain streams).</summary>
public static class RapStreams
{
    /// <summary>The provider name registered by <c>AddRapServer</c> (<c>AddMemoryStreams("rap")</c>).</summary>
    public const string ProviderName = "rap";

    /// <summary>Stream namespace of generator items (key: the generator id).</summary>
    public const string GeneratorNamespace = "rap-generator";

    /// <summary>Stream namespaces of a channel's two directions (key: a per-channel id).</summary>
    public const string ChannelInNamespace = "rap-channel-in";

    public const string ChannelOutNamespace = "rap-channel-out";
}
