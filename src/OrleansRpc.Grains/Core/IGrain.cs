namespace OrleansRpc.Grains;

/// <summary>Marker interface for grain interfaces. Use one of the <c>IGrainWith*Key</c> interfaces to pick the key kind.</summary>
public interface IGrain : IAddressable
{
}
