namespace OrleansRpc.Hosting;

/// <summary>
/// Assemblies whose function groups (classes marked <c>[RapGroup]</c>) are loaded and registered at start.
/// Read when the services are registered (an assembly's functions must be known before the host is built).
/// </summary>
public sealed class FunctionAssemblyOptions
{
    /// <summary>Paths of function assemblies (relative paths resolve against the current directory). Default: none.</summary>
    public IList<string> Assemblies { get; set; } = [];
}
