namespace OrleansRpc.Grains;

/// <summary>A grain interface whose grains are identified by a <see cref="string"/> key.</summary>
public interface IGrainWithStringKey : IGrain
{
}
