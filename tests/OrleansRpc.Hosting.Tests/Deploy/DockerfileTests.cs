using System.CommandLine;
using System.Xml.Linq;
using OrleansRpc.Host;

namespace OrleansRpc.Hosting.Tests.Deploy;

public sealed class DockerfileTests
{
    private static readonly Dockerfile s_dockerfile = Dockerfile.Load(RepositoryPaths.Dockerfile);

    [Fact]
    public void The_build_stage_publishes_the_host_with_the_sdk_and_the_runtime_is_aspnet_10()
    {
        Assert.True(s_dockerfile.Stages.Count >= 2, "a multi-stage build is expected");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", s_dockerfile.Stages[0].Image, StringComparison.Ordinal);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", s_dockerfile.Final.Image);
        Assert.Contains(s_dockerfile.Stages[0].All("RUN"), run => run.Contains("dotnet publish src/OrleansRpc.Host/OrleansRpc.Host.csproj", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, "src", "OrleansRpc.Host", "OrleansRpc.Host.csproj")));
    }

    [Fact]
    public void The_build_context_copies_every_project_the_host_depends_on()
    {
        string[] copied = s_dockerfile.Stages[0].All("COPY").SelectMany(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]).ToArray();
        foreach (string project in ProjectClosure(Path.Combine(RepositoryPaths.Root, "src", "OrleansRpc.Host", "OrleansRpc.Host.csproj")))
        {
            string relative = Path.GetRelativePath(RepositoryPaths.Root, project).Replace('\\', '/');
            Assert.True(copied.Any(c => relative.StartsWith(c, StringComparison.Ordinal)), $"{relative} is not copied into the build stage");
        }

        foreach (string file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig" })
        {
            Assert.Contains(file, copied);
        }
    }

    [Fact]
    public void The_image_exposes_the_ports_it_listens_on_and_listens_on_every_address()
    {
        Dictionary<string, string> environment = s_dockerfile.Final.Environment();
        DeploymentConfiguration configuration = DeploymentConfiguration.Create(null, environment);
        int[] exposed = s_dockerfile.Final.All("EXPOSE").SelectMany(e => e.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(p => int.Parse(p.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        Assert.Equal(new[] { configuration.Gateway.Port, configuration.Health.Port }.Order(), exposed.Order());
        Assert.Equal("0.0.0.0", configuration.Gateway.Host);
        Assert.Equal("0.0.0.0", configuration.Health.Host);
        Assert.Equal(string.Empty, environment["ASPNETCORE_HTTP_PORTS"]); // no extra listener from the base image
    }

    [Fact]
    public void The_image_runs_as_a_non_root_user()
    {
        string user = Assert.Single(s_dockerfile.Final.All("USER"));
        Assert.DoesNotContain(user, new[] { "root", "0", "0:0" });
    }

    [Fact]
    public void The_entry_point_runs_the_host_and_the_default_command_parses()
    {
        string entryPoint = Assert.Single(s_dockerfile.Final.All("ENTRYPOINT"));
        string hostAssembly = typeof(ExitCodes).Assembly.GetName().Name + ".dll";
        Assert.Contains($"\"/app/{hostAssembly}\"", entryPoint, StringComparison.Ordinal);

        string cmd = Assert.Single(s_dockerfile.Final.All("CMD"));
        string[] args = System.Text.Json.JsonSerializer.Deserialize<string[]>(cmd)!;
        ParseResult parsed = OrleansRpcCommandLine.Create().Parse(args);
        Assert.Empty(parsed.Errors);
        Assert.Equal("serve", parsed.CommandResult.Command.Name);
    }

    [Fact]
    public void The_pipeline_builds_this_dockerfile()
    {
        string pipeline = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "azure-pipelines.yml"));
        Assert.Contains("dockerfile: deploy/Dockerfile", pipeline, StringComparison.Ordinal);
    }

    private static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out string? current))
        {
            if (!seen.Add(current))
            {
                continue;
            }

            foreach (XElement reference in XDocument.Load(current).Descendants("ProjectReference"))
            {
                string include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, include)));
            }
        }

        return seen;
    }
}
