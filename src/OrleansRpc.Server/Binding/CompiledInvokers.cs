namespace OrleansRpc.Server.Binding;

/// <summary>The compiled invokers of one function; which are set depends on its kind.</summary>
internal sealed class CompiledInvokers
{
    public HeadInvoker<ValueTask>? HeadUnary { get; init; }

    public LegacyInvoker<ValueTask>? LegacyUnary { get; init; }

    public HeadInvoker<RapItemSource>? HeadGenerator { get; init; }

    public LegacyInvoker<RapItemSource>? LegacyGenerator { get; init; }

    public ChannelInvoker? Channel { get; init; }
}
