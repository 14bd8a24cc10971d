namespace OrleansRpc.Protocol.Frames;

/// <summary>
/// Channel life-cycle header values. HEAD uses upper case everywhere (§2.10); v0.5.3.8 uses lower
/// case <c>declare</c>/<c>drop</c> but upper case <c>MSG</c> (§3.11).
/// </summary>
public static class RapChannelLifeCycle
{
    public const string HeadDeclare = "DECLARE";
    public const string HeadDrop = "DROP";
    public const string Message = "MSG";
    public const string LegacyDeclare = "declare";
    public const string LegacyDrop = "drop";
}
