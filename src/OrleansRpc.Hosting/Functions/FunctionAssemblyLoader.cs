using System.Reflection;
using OrleansRpc.Server;

namespace OrleansRpc.Hosting;

/// <summary>Loads function assemblies and registers their function groups (classes marked <c>[RapGroup]</c>).</summary>
public static class FunctionAssemblyLoader
{
    /// <summary>
    /// Loads the assembly at <paramref name="path"/> in a load context of its own (its dependencies resolve
    /// from its folder; OrleansRpc and the framework are shared with the host).
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static Assembly Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"Function assembly '{path}' does not exist.", fullPath);
        }

        // An assembly the host already has (referenced, or loaded before) is used as is.
        AssemblyName name = AssemblyName.GetAssemblyName(fullPath);
        Assembly? loaded = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name) && string.Equals(a.GetName().Name, name.Name, StringComparison.OrdinalIgnoreCase));
        return loaded ?? new FunctionLoadContext(fullPath).LoadFromAssemblyPath(fullPath);
    }

    /// <summary>The function group classes of <paramref name="assembly"/>: public, concrete, marked <c>[RapGroup]</c>.</summary>
    public static IReadOnlyList<Type> FindFunctionGroups(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsAbstract && !t.ContainsGenericParameters && t.GetCustomAttribute<RapGroupAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToArray();
    }
}
