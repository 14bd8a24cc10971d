namespace OrleansRpc.Host;

/// <summary>One function of the server's <c>registry/list</c> (RAP_PROTOCOL.md §2.12, §3.12).</summary>
internal sealed record RegistryEntry(string Group, string Name, string FunctionType, bool IsGenerator, bool IsPrivate, string Doc);
