namespace OrleansRpc.Hosting.Tests;

/// <summary>Tests that read or set process-wide state (environment variables, the console lifetime) run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}
