using OrleansRpc.Protocol;

namespace OrleansRpc.Middleware.Diagnostics;

/// <summary>The <c>rap.generation</c> tag values.</summary>
public static class RapGeneration
{
    public const string Head = "head";

    public const string V0538 = "0.5.3.8";

    public const string Unknown = "unknown";

    public static string Of(RapVersion version) => version == RapVersion.Head ? Head : V0538;
}
