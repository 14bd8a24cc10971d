namespace OrleansRpc.LoadGenerator;

/// <summary>The <c>channel_life_cycle</c> header of an answer.</summary>
public enum LifeCycle : byte
{
    None,
    Declare,
    Message,
    Drop,
    Other,
}
