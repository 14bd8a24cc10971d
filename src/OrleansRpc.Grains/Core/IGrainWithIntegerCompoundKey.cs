namespace OrleansRpc.Grains;

/// <summary>A grain interface whose grains are identified by a <see cref="long"/> key plus a string key extension.</summary>
public interface IGrainWithIntegerCompoundKey : IGrain
{
}
