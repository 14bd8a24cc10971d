namespace OrleansRpc.Host;

/// <summary>Exit codes of the <c>orleansrpc</c> command.</summary>
public static class ExitCodes
{
    /// <summary>Success: the command ran, or the server stopped normally.</summary>
    public const int Success = 0;

    /// <summary>A failure at run time: an address in use, an unhandled exception.</summary>
    public const int RuntimeFailure = 1;

    /// <summary>Bad usage or bad configuration: an unknown option, an invalid value, a missing file.</summary>
    public const int UsageOrConfiguration = 2;
}
