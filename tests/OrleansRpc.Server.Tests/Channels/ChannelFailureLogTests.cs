using Microsoft.Extensions.Logging;

namespace OrleansRpc.Server.Tests.Channels;

/// <summary>
/// A failing channel handler is the client's answer, not the server's problem: one Debug line (type, message, stack
/// trace), nothing at Warning, so a client failing channels in a loop cannot fill the log with stack traces.
/// </summary>
public sealed class ChannelFailureLogTests
{
    [Fact]
    public void A_channel_handler_failure_is_logged_at_Debug_with_its_type_and_message()
    {
        var logger = new Capture();
        Exception failure;
        try
        {
            throw new ArgumentException("bad value");
        }
        catch (ArgumentException ex)
        {
            failure = ex;
        }

        for (int i = 0; i < 1000; i++)
        {
            RapServerLog.ChannelHandlerFailed(logger, "default", "echo_channel", failure);
        }

        Assert.Equal(1000, logger.Entries.Count);
        Assert.All(logger.Entries, e => Assert.Equal(LogLevel.Debug, e.Level));
        Assert.Equal("Channel handler default/echo_channel failed: ArgumentException: bad value", logger.Entries[0].Message);
        Assert.Same(failure, logger.Entries[0].Exception);
    }

    private sealed class Capture : ILogger
    {
        public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception), exception));
    }
}
