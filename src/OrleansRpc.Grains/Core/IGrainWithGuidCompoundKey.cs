namespace OrleansRpc.Grains;

/// <summary>A grain interface whose grains are identified by a <see cref="System.Guid"/> key plus a string key extension.</summary>
public interface IGrainWithGuidCompoundKey : IGrain
{
}
