namespace OrleansRpc.Grains;

/// <summary>A grain interface whose grains are identified by a <see cref="System.Guid"/> key.</summary>
public interface IGrainWithGuidKey : IGrain
{
}
