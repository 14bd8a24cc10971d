using System.Globalization;
using System.Net;

namespace OrleansRpc.LoadGenerator;

/// <summary>Command-line options (<c>--name value</c>); see <see cref="Usage"/>.</summary>
public sealed class LoadOptions
{
    public const string Usage = """
        OrleansRpc.LoadGenerator [options]   (prints one JSON line)
          --host 127.0.0.1          server address (loopback only: this tool is not meant for remote targets)
          --port 9000               server port
          --connections 1           connections (1..512)
          --inflight 1              requests in flight per connection (1..4096)
          --duration 5              measured seconds
          --warmup 2                seconds of load before measuring
          --workload unary          unary | generator | channel | mixed
          --payload 0               unary: bytes of a bin echoed by /default/echo_bytes (0 = sum(a, b));
                                    channel: bytes of each MSG body (0 = the int 1)
          --gen-items 10000         items per generator (mixed: 100 unless given)
          --function /default/sum   unary target when --payload is 0
          --client-pings true       send 3 pings every 2 s per connection, like rap's client
          --server-alloc false      ask /diag/allocated before and after (bench server with diagnostics on): bytes per call
          --idle 0                  instead of load: open N connections, DECLARE each, print a line, hold them
          --hold 10                 idle: seconds to hold the connections
          --label ""                copied into the JSON line
          --diag none               instead of load: allocated | collect | allocation_types (bench server diagnostics)
          --summarize FILE          instead of load: the table of medians and ratios of a run.sh results file
        """;

    public string Host { get; private set; } = "127.0.0.1";

    public int Port { get; private set; } = 9000;

    public int Connections { get; private set; } = 1;

    public int InFlight { get; private set; } = 1;

    public double DurationSeconds { get; private set; } = 5;

    public double WarmupSeconds { get; private set; } = 2;

    public Workload Workload { get; private set; } = Workload.Unary;

    public int PayloadBytes { get; private set; }

    public int GeneratorItems { get; private set; } = 10_000;

    public string Function { get; private set; } = "/default/sum";

    public bool ClientPings { get; private set; } = true;

    public bool ServerAllocation { get; private set; }

    public int IdleConnections { get; private set; }

    public double HoldSeconds { get; private set; } = 10;

    public string Label { get; private set; } = "";

    public string Diagnostic { get; private set; } = "none";

    public string? SummarizeFile { get; private set; }

    public IPEndPoint EndPoint => new(IPAddress.Parse(Host), Port);

    public static LoadOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new LoadOptions();
        bool genItemsGiven = false;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
            {
                throw new ArgumentException(Usage);
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value.\n{Usage}");
            }

            string value = args[++i];
            switch (name)
            {
                case "--host": options.Host = value; break;
                case "--port": options.Port = Int(value, 1, 65535, name); break;
                case "--connections": options.Connections = Int(value, 1, 512, name); break;
                case "--inflight": options.InFlight = Int(value, 1, 4096, name); break;
                case "--duration": options.DurationSeconds = Double(value, 0.1, 86_400, name); break;
                case "--warmup": options.WarmupSeconds = Double(value, 0, 3_600, name); break;
                case "--workload": options.Workload = Enum.Parse<Workload>(value, ignoreCase: true); break;
                case "--payload": options.PayloadBytes = Int(value, 0, 64 * 1024 * 1024, name); break;
                case "--gen-items": options.GeneratorItems = Int(value, 0, 100_000_000, name); genItemsGiven = true; break;
                case "--function": options.Function = value; break;
                case "--client-pings": options.ClientPings = bool.Parse(value); break;
                case "--server-alloc": options.ServerAllocation = bool.Parse(value); break;
                case "--idle": options.IdleConnections = Int(value, 0, 60_000, name); break;
                case "--hold": options.HoldSeconds = Double(value, 0, 86_400, name); break;
                case "--label": options.Label = value; break;
                case "--diag": options.Diagnostic = value is "none" or "allocated" or "collect" or "allocation_types" ? value : throw new ArgumentException("--diag must be none, allocated, collect or allocation_types."); break;
                case "--summarize": options.SummarizeFile = value; break;
                default: throw new ArgumentException($"unknown option {name}\n{Usage}");
            }
        }

        if (options.Workload == Workload.Mixed && !genItemsGiven)
        {
            options.GeneratorItems = 100;
        }

        // Load only ever goes to this machine.
        if (!IPAddress.TryParse(options.Host, out IPAddress? address) || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"--host must be a loopback address (got {options.Host}).");
        }

        return options;
    }

    private static int Int(string value, int min, int max, string name)
    {
        int parsed = int.Parse(value, CultureInfo.InvariantCulture);
        return parsed >= min && parsed <= max ? parsed : throw new ArgumentException($"{name} must be {min}..{max}.");
    }

    private static double Double(string value, double min, double max, string name)
    {
        double parsed = double.Parse(value, CultureInfo.InvariantCulture);
        return parsed >= min && parsed <= max ? parsed : throw new ArgumentException($"{name} must be {min}..{max}.");
    }
}
