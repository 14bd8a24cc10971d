using System.Text.RegularExpressions;

namespace OrleansRpc.Hosting.Tests.Deploy;

/// <summary>The instructions of deploy/Dockerfile, per build stage, with continuation lines joined and ARGs substituted.</summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(List<Stage> stages) => Stages = stages;

    public List<Stage> Stages { get; }

    public Stage Final => Stages[^1];

    public static Dockerfile Load(string path)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<Stage>();
        string joined = string.Join('\n', File.ReadAllLines(path).Where(l => !l.TrimStart().StartsWith('#')))
            .Replace("\\\n", " ", StringComparison.Ordinal);
        foreach (string rawLine in joined.Split('\n'))
        {
            string line = rawLine.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            int space = line.IndexOf(' ', StringComparison.Ordinal);
            string instruction = line[..space].ToUpperInvariant();
            string rest = line[(space + 1)..].Trim();
            if (instruction == "ARG" && stages.Count == 0)
            {
                string[] parts = rest.Split('=', 2);
                args[parts[0]] = parts.Length > 1 ? parts[1] : "";
                continue;
            }

            if (instruction == "FROM")
            {
                rest = ArgPattern().Replace(rest, m => args.GetValueOrDefault(m.Groups[1].Value, m.Value));
                stages.Add(new Stage(rest));
                continue;
            }

            stages[^1].Instructions.Add((instruction, rest));
        }

        return new Dockerfile(stages);
    }

    [GeneratedRegex(@"\$\{(\w+)\}")]
    private static partial Regex ArgPattern();

    internal sealed class Stage(string from)
    {
        /// <summary>The FROM line after ARG substitution, e.g. <c>mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime</c>.</summary>
        public string From { get; } = from;

        public string Image => From.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];

        public List<(string Instruction, string Arguments)> Instructions { get; } = [];

        public IEnumerable<string> All(string instruction) =>
            Instructions.Where(i => i.Instruction == instruction).Select(i => i.Arguments);

        /// <summary>Every ENV assignment (KEY=VALUE form) of the stage, later ones winning.</summary>
        public Dictionary<string, string> Environment()
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string env in All("ENV"))
            {
                foreach (string assignment in env.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    string[] parts = assignment.Split('=', 2);
                    Assert.True(parts.Length == 2, $"ENV '{assignment}' is not in KEY=VALUE form");
                    environment[parts[0]] = parts[1];
                }
            }

            return environment;
        }
    }
}
