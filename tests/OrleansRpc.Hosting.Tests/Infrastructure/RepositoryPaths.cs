using OrleansRpc.Testing;

namespace OrleansRpc.Hosting.Tests;

/// <summary>Files of the repository the deployment tests read.</summary>
internal static class RepositoryPaths
{
    /// <summary>The repository root (the folder holding OrleansRpc.sln).</summary>
    public static string Root => Path.GetFullPath(Path.Combine(TestData.Root, "..", ".."));

    public static string Deploy => Path.Combine(Root, "deploy");

    public static string Kubernetes => Path.Combine(Deploy, "k8s");

    public static string Dockerfile => Path.Combine(Deploy, "Dockerfile");

    /// <summary>The executable's shipped configuration (every option with its default).</summary>
    public static string HostAppSettings => Path.Combine(Root, "src", "OrleansRpc.Host", "appsettings.json");
}
