using System.Reflection;
using System.Runtime.Loader;

namespace OrleansRpc.Hosting;

/// <summary>
/// Loads a function assembly with its own dependencies (from its deps.json and folder), sharing every
/// assembly the host itself has: OrleansRpc.*, the framework. Sharing is what makes the function library's
/// <c>[RapGroup]</c> the same type the server looks for.
/// </summary>
internal sealed class FunctionLoadContext : AssemblyLoadContext
{
    private static readonly Lazy<HashSet<string>> s_hostAssemblies = new(LoadHostAssemblyNames);
    private readonly AssemblyDependencyResolver _resolver;

    public FunctionLoadContext(string assemblyPath)
        : base($"OrleansRpc.Functions:{Path.GetFileNameWithoutExtension(assemblyPath)}", isCollectible: false)
    {
        _resolver = new AssemblyDependencyResolver(assemblyPath);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } name && s_hostAssemblies.Value.Contains(name))
        {
            return null; // the default context has it: share
        }

        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    private static HashSet<string> LoadHostAssemblyNames()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa)
        {
            foreach (string path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(Path.GetFileNameWithoutExtension(path));
            }
        }

        foreach (Assembly assembly in Default.Assemblies)
        {
            if (assembly.GetName().Name is { } name)
            {
                names.Add(name);
            }
        }

        return names;
    }
}
