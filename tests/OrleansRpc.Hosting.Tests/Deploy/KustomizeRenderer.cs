namespace OrleansRpc.Hosting.Tests.Deploy;

/// <summary>
/// Renders a kustomization the way <c>kubectl kustomize</c> does, for the features these manifests use:
/// resources (files and directories), configMapGenerator (without the name hash), strategic-merge patches
/// by path, namespace and images. Anything it does not understand fails the test rather than being skipped.
/// </summary>
internal static class KustomizeRenderer
{
    private static readonly HashSet<string> s_supported = new(StringComparer.Ordinal)
    {
        "apiVersion", "kind", "resources", "configMapGenerator", "patches", "namespace", "images",
    };

    private static readonly HashSet<string> s_clusterScoped = new(StringComparer.Ordinal) { "Namespace" };

    /// <summary>The rendered resources plus, per generated ConfigMap, its files' contents.</summary>
    public static Rendered Render(string directory)
    {
        string file = Path.Combine(directory, "kustomization.yaml");
        Assert.True(File.Exists(file), $"{directory} has no kustomization.yaml");
        Dictionary<object, object?> kustomization = Yaml.LoadAll(file).Single();
        foreach (object key in kustomization.Keys)
        {
            Assert.True(s_supported.Contains((string)key), $"{file}: '{key}' is not supported by the test renderer; extend it.");
        }

        Assert.Equal("Kustomization", Yaml.Kind(kustomization));
        var resources = new List<Dictionary<object, object?>>();
        var configFiles = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);

        foreach (string entry in Yaml.List(kustomization["resources"]).Cast<string>())
        {
            string path = Path.GetFullPath(Path.Combine(directory, entry));
            if (Directory.Exists(path))
            {
                Rendered inner = Render(path);
                resources.AddRange(inner.Resources);
                foreach ((string name, Dictionary<string, string> files) in inner.ConfigFiles)
                {
                    configFiles[name] = files;
                }
            }
            else
            {
                Assert.True(File.Exists(path), $"{file}: resource '{entry}' does not exist");
                resources.AddRange(Yaml.LoadAll(path).Select(d => (Dictionary<object, object?>)Yaml.Clone(d)!));
            }
        }

        foreach (Dictionary<object, object?> generator in Yaml.Maps(kustomization.GetValueOrDefault("configMapGenerator")))
        {
            string name = Yaml.Str(generator, "name")!;
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string entry in Yaml.List(generator.GetValueOrDefault("files")).Cast<string>())
            {
                string path = Path.Combine(directory, entry);
                Assert.True(File.Exists(path), $"{file}: configMapGenerator file '{entry}' does not exist");
                files[Path.GetFileName(entry)] = File.ReadAllText(path);
            }

            configFiles[name] = files;
            resources.Add(new Dictionary<object, object?>
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new Dictionary<object, object?> { ["name"] = name },
                ["data"] = files.ToDictionary(kv => (object)kv.Key, kv => (object?)kv.Value),
            });
        }

        foreach (Dictionary<object, object?> patchEntry in Yaml.Maps(kustomization.GetValueOrDefault("patches")))
        {
            string entry = Yaml.Str(patchEntry, "path") ?? throw new Xunit.Sdk.XunitException($"{file}: only patches with a path are supported");
            string path = Path.Combine(directory, entry);
            Assert.True(File.Exists(path), $"{file}: patch '{entry}' does not exist");
            foreach (Dictionary<object, object?> patch in Yaml.LoadAll(path))
            {
                Dictionary<object, object?>? target = resources.SingleOrDefault(r => Yaml.Kind(r) == Yaml.Kind(patch) && Yaml.Name(r) == Yaml.Name(patch));
                Assert.True(target is not null, $"{path}: patches {Yaml.Kind(patch)} '{Yaml.Name(patch)}', which the resources do not contain");
                Yaml.Merge(target, patch);
            }
        }

        if (Yaml.Str(kustomization, "namespace") is { } ns)
        {
            foreach (Dictionary<object, object?> resource in resources.Where(r => !s_clusterScoped.Contains(Yaml.Kind(r))))
            {
                Yaml.Map(resource["metadata"], "metadata")["namespace"] = ns;
            }
        }

        foreach (Dictionary<object, object?> image in Yaml.Maps(kustomization.GetValueOrDefault("images")))
        {
            string name = Yaml.Str(image, "name")!;
            bool used = false;
            foreach (Dictionary<object, object?> container in resources.SelectMany(Containers))
            {
                string current = Yaml.Str(container, "image") ?? "";
                string currentName = current.Split(':')[0];
                if (currentName != name)
                {
                    continue;
                }

                used = true;
                string newName = Yaml.Str(image, "newName") ?? currentName;
                string? tag = Yaml.Str(image, "newTag") ?? (current.Contains(':', StringComparison.Ordinal) ? current.Split(':')[1] : null);
                container["image"] = tag is null ? newName : $"{newName}:{tag}";
            }

            Assert.True(used, $"{file}: image '{name}' matches no container");
        }

        return new Rendered(resources, configFiles);
    }

    public static IEnumerable<Dictionary<object, object?>> Containers(Dictionary<object, object?> resource) =>
        Yaml.Maps(Yaml.At(resource, "spec.template.spec.containers"));

    internal sealed record Rendered(List<Dictionary<object, object?>> Resources, Dictionary<string, Dictionary<string, string>> ConfigFiles)
    {
        public Dictionary<object, object?> Single(string kind) => Resources.Single(r => Yaml.Kind(r) == kind);

        public IEnumerable<Dictionary<object, object?>> All(string kind) => Resources.Where(r => Yaml.Kind(r) == kind);
    }
}
