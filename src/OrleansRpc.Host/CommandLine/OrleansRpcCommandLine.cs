using System.CommandLine;
using System.CommandLine.Invocation;

namespace OrleansRpc.Host;

/// <summary>
/// The <c>orleansrpc</c> command line: <c>serve</c> runs a server; <c>call</c>, <c>list</c> and <c>ping</c> are
/// clients of one (through OrleansRpc.Client).
/// </summary>
public static class OrleansRpcCommandLine
{
    /// <summary>Builds the root command with its subcommands.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("OrleansRpc: a server for rap clients, built the Orleans way.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(CallCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        root.Subcommands.Add(PingCommand.Create());
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. Returns <see cref="ExitCodes.Success"/>,
    /// <see cref="ExitCodes.RuntimeFailure"/> or, for a parse error, <see cref="ExitCodes.UsageOrConfiguration"/>.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ParseResult result = Create().Parse(args);
        var configuration = new InvocationConfiguration
        {
            // The host handles SIGTERM/SIGINT itself (readiness, drain); System.CommandLine must not kill the process first.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
        };

        try
        {
            int code = await result.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
            return result.Action is ParseErrorAction ? ExitCodes.UsageOrConfiguration : code;
        }
        catch (Exception ex)
        {
            await configuration.Error.WriteLineAsync($"orleansrpc: {ex}").ConfigureAwait(false);
            return ExitCodes.RuntimeFailure;
        }
    }
}
