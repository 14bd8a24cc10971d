using System.CommandLine;
using System.Security.Authentication;
using OrleansRpc.Client;

namespace OrleansRpc.Host;

/// <summary>
/// Runs a client subcommand: builds the client, bounds the work by <c>--timeout</c>, and turns failures into exit
/// codes and one line on stderr (remote errors as <c>PythonExceptionName: message</c>).
/// </summary>
internal static class ClientCommandRunner
{
    public static async Task<int> RunAsync(
        string commandName,
        ParseResult parseResult,
        ClientConnectionOptions connection,
        Func<RapClient, TextWriter, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken)
    {
        TextWriter output = parseResult.InvocationConfiguration.Output;
        TextWriter error = parseResult.InvocationConfiguration.Error;
        TimeSpan timeout = connection.GetTimeout(parseResult);
        string server = parseResult.GetValue(connection.Server)!;

        RapClient client;
        try
        {
            client = connection.CreateClient(parseResult);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            await error.WriteLineAsync($"orleansrpc {commandName}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.UsageOrConfiguration;
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        await using (client.ConfigureAwait(false))
        {
            try
            {
                // Connect up front, failing fast: a refused connection is reported at once with its cause instead
                // of being retried with backoff until the timeout.
                await client.StartAsync(timeoutSource.Token).ConfigureAwait(false);
                return await body(client, output, timeoutSource.Token).ConfigureAwait(false);
            }
            catch (RapRemoteException ex)
            {
                await error.WriteLineAsync($"{ex.PythonExceptionName}: {ex.RemoteMessage}").ConfigureAwait(false);
                return ExitCodes.RuntimeFailure;
            }
            catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync($"orleansrpc {commandName}: no answer from {server} within {timeout.TotalSeconds:0.###} s.").ConfigureAwait(false);
                return ExitCodes.RuntimeFailure;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync($"orleansrpc {commandName}: cancelled.").ConfigureAwait(false);
                return ExitCodes.RuntimeFailure;
            }
            catch (Exception ex) when (ex is RapConnectionException or RapTimeoutException or RapProtocolException or IOException
                or System.Net.Sockets.SocketException or AuthenticationException or NotSupportedException)
            {
                string message = Describe(ex);
                await error.WriteLineAsync(message.Contains(server, StringComparison.Ordinal)
                    ? $"orleansrpc {commandName}: {message}"
                    : $"orleansrpc {commandName}: {server}: {message}").ConfigureAwait(false);
                return ExitCodes.RuntimeFailure;
            }
        }
    }

    /// <summary>The message with its causes (a connect failure wraps the socket error that explains it).</summary>
    private static string Describe(Exception exception)
    {
        string message = exception.Message;
        for (Exception? inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!message.Contains(inner.Message, StringComparison.Ordinal))
            {
                message += " " + inner.Message;
            }
        }

        return message;
    }
}
