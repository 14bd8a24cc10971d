namespace OrleansRpc.Grains;

/// <summary>A grain interface whose grains are identified by a <see cref="long"/> key.</summary>
public interface IGrainWithIntegerKey : IGrain
{
}
