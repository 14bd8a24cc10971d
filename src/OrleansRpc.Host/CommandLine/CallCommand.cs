using System.CommandLine;
using OrleansRpc.Client;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Host;

/// <summary>
/// <c>orleansrpc call HOST:PORT GROUP/NAME [JSON]</c>: calls a function with arguments by name and prints the result
/// as JSON; a generator prints one item per line.
/// </summary>
/// <remarks>
/// Generator or not: <c>--stream</c> says so; otherwise the command asks the server's private
/// <c>registry/list</c> (answered to loopback clients) and streams when the function is listed as a generator
/// (0.5.3.8: <c>is_gen_func</c>) or, as rap HEAD lists generators, with <c>func_type</c> <c>CHANNEL</c>. When the
/// listing is refused or the function is not in it, the call is unary.
/// </remarks>
internal static class CallCommand
{
    public static Command Create()
    {
        var connection = new ClientConnectionOptions();
        var target = new Argument<string>("group/name")
        {
            Description = "The function, e.g. default/sum_sync (a leading / is allowed).",
        };
        target.Validators.Add(static result =>
        {
            string text = result.GetValueOrDefault<string>() ?? string.Empty;
            if (!TryParseTarget(text, out _, out _))
            {
                result.AddError($"'{text}' is not group/name (e.g. default/sum_sync).");
            }
        });
        var arguments = new Argument<string>("json")
        {
            Description = "The arguments: a JSON object of name → value, e.g. '{\"a\": 1, \"b\": 2}'. Integers stay integers; numbers with a fraction or an exponent are sent as floats.",
            DefaultValueFactory = static _ => "{}",
        };
        arguments.Validators.Add(static result =>
        {
            try
            {
                JsonArguments.Parse(result.GetValueOrDefault<string>() ?? "{}");
            }
            catch (FormatException ex)
            {
                result.AddError(ex.Message);
            }
        });
        var stream = new Option<bool>("--stream", "-s")
        {
            Description = "The function is a generator: print each item as it arrives, one JSON value per line. Without it, the server's registry/list decides.",
        };

        var command = new Command("call", "Calls a function and prints its result as JSON (a generator's items one per line).");
        connection.AddTo(command);
        command.Arguments.Add(target);
        command.Arguments.Add(arguments);
        command.Options.Add(stream);

        command.SetAction((parseResult, cancellationToken) =>
        {
            TryParseTarget(parseResult.GetValue(target)!, out string group, out string name);
            Dictionary<string, object?> args = JsonArguments.Parse(parseResult.GetValue(arguments) ?? "{}");
            bool forceStream = parseResult.GetValue(stream);
            return ClientCommandRunner.RunAsync("call", parseResult, connection,
                (client, output, ct) => CallAsync(client, output, group, name, args, forceStream, ct), cancellationToken);
        });
        return command;
    }

    /// <summary>Splits <c>group/name</c> (or <c>/group/name</c>); both parts non-empty, no white space.</summary>
    internal static bool TryParseTarget(string text, out string group, out string name)
    {
        group = name = string.Empty;
        ReadOnlySpan<char> span = text.AsSpan();
        if (span.StartsWith("/"))
        {
            span = span[1..];
        }

        int slash = span.IndexOf('/');
        if (slash <= 0 || slash == span.Length - 1 || span[(slash + 1)..].Contains('/'))
        {
            return false;
        }

        foreach (char c in span)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }

        group = span[..slash].ToString();
        name = span[(slash + 1)..].ToString();
        return true;
    }

    private static async Task<int> CallAsync(RapClient client, TextWriter output, string group, string name, Dictionary<string, object?> args, bool forceStream, CancellationToken cancellationToken)
    {
        bool isGenerator = forceStream || await IsGeneratorAsync(client, group, name, cancellationToken).ConfigureAwait(false);
        RapArgs rapArgs = RapArgs.From(args);
        if (!isGenerator)
        {
            MessagePackValue result = await client.InvokeAsync<MessagePackValue>(group, name, rapArgs, cancellationToken: cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(MessagePackJson.Serialize(result)).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        await foreach (MessagePackValue item in client.StreamAsync<MessagePackValue>(group, name, rapArgs, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            await output.WriteLineAsync(MessagePackJson.Serialize(item)).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private static async Task<bool> IsGeneratorAsync(RapClient client, string group, string name, CancellationToken cancellationToken)
    {
        MessagePackValue listing;
        try
        {
            listing = await RegistryListing.GetAsync(client, cancellationToken).ConfigureAwait(false);
        }
        catch (RapRemoteException)
        {
            return false; // registry/list refused (not loopback) or absent: call it as a plain function
        }

        foreach (RegistryEntry entry in RegistryListing.Entries(listing))
        {
            if (entry.Group == group && entry.Name == name)
            {
                return entry.IsGenerator || string.Equals(entry.FunctionType, "CHANNEL", StringComparison.Ordinal);
            }
        }

        return false;
    }
}
