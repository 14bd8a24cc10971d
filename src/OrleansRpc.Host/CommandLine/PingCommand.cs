using System.CommandLine;
using System.Globalization;
using OrleansRpc.Client;

namespace OrleansRpc.Host;

/// <summary>
/// <c>orleansrpc ping HOST:PORT</c>: connects (TCP, TLS, DECLARE handshake), sends HEAD pings and prints each
/// round-trip time.
/// </summary>
internal static class PingCommand
{
    public static Command Create()
    {
        var connection = new ClientConnectionOptions();
        var count = new Option<int>("--count", "-n")
        {
            Description = "How many pings to send, one after the other.",
            HelpName = "N",
            DefaultValueFactory = static _ => 1,
        };
        count.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--count must be at least 1.");
            }
        });

        var command = new Command("ping", "Connects, does the DECLARE handshake and pings the server, printing the round-trip time.");
        connection.AddTo(command);
        command.Options.Add(count);
        command.SetAction((parseResult, cancellationToken) =>
        {
            int pings = parseResult.GetValue(count);
            string server = parseResult.GetValue(connection.Server)!;
            return ClientCommandRunner.RunAsync("ping", parseResult, connection,
                (client, output, ct) => PingAsync(client, output, server, pings, ct), cancellationToken);
        });
        return command;
    }

    private static async Task<int> PingAsync(RapClient client, TextWriter output, string server, int pings, CancellationToken cancellationToken)
    {
        // ClientCommandRunner has connected already: the round trips do not include TCP, TLS and DECLARE.
        for (int i = 0; i < pings; i++)
        {
            TimeSpan roundTrip = await client.PingAsync(cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"pong from {server}: time={roundTrip.TotalMilliseconds:0.###} ms")).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }
}
