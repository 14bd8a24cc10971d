using System.CommandLine;
using System.Text;
using OrleansRpc.Client;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Host;

/// <summary>
/// <c>orleansrpc list HOST:PORT</c>: prints the server's <c>registry/list</c> as a table (group, name, type,
/// private, doc). The listing is private: servers answer it to loopback clients only.
/// </summary>
internal static class ListCommand
{
    private static readonly string[] s_headers = ["GROUP", "NAME", "TYPE", "PRIVATE", "DOC"];

    public static Command Create()
    {
        var connection = new ClientConnectionOptions();
        var command = new Command("list", "Lists the server's functions (its private registry/list; servers answer it to loopback clients).");
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
            ClientCommandRunner.RunAsync("list", parseResult, connection, ListAsync, cancellationToken));
        return command;
    }

    private static async Task<int> ListAsync(RapClient client, TextWriter output, CancellationToken cancellationToken)
    {
        MessagePackValue listing = await RegistryListing.GetAsync(client, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(Format(RegistryListing.Entries(listing))).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>The table: a header row, then one row per function, columns padded to their widest cell.</summary>
    internal static string Format(IEnumerable<RegistryEntry> entries)
    {
        List<string[]> rows = [s_headers];
        foreach (RegistryEntry entry in entries)
        {
            rows.Add([entry.Group, entry.Name, TypeOf(entry), entry.IsPrivate ? "yes" : "no", FirstLine(entry.Doc)]);
        }

        int[] widths = new int[s_headers.Length];
        foreach (string[] row in rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var table = new StringBuilder();
        var line = new StringBuilder();
        foreach (string[] row in rows)
        {
            line.Clear();
            for (int i = 0; i < row.Length; i++)
            {
                line.Append(row[i].PadRight(i == row.Length - 1 ? 0 : widths[i] + 2));
            }

            // No trailing blanks, even when the doc is empty.
            table.Append(line.ToString().TrimEnd()).Append(Environment.NewLine);
        }

        return table.ToString();
    }

    /// <summary>HEAD lists generators as CHANNEL; 0.5.3.8 as normal with is_gen_func. Shown as the server spells it, lower case.</summary>
    private static string TypeOf(RegistryEntry entry) =>
        entry.IsGenerator ? "generator" : entry.FunctionType.ToLowerInvariant();

    private static string FirstLine(string doc)
    {
        string trimmed = doc.Trim();
        int newline = trimmed.IndexOfAny(['\r', '\n']);
        return newline < 0 ? trimmed : trimmed[..newline].TrimEnd();
    }
}
