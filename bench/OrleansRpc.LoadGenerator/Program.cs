using OrleansRpc.LoadGenerator;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
    return 2;
}

try
{
    if (options.SummarizeFile is { } file)
    {
        return Summary.Print(file, Console.Out);
    }

    if (options.Diagnostic != "none")
    {
        using var client = new DiagnosticClient(options);
        if (options.Diagnostic == "allocation_types")
        {
            Console.WriteLine(client.AllocationTypes());
            return 0;
        }

        long value = options.Diagnostic == "collect" ? client.Collect() : client.AllocatedBytes();
        JsonLine.Write(Console.Out, w =>
        {
            w.WriteString("mode", "diag");
            w.WriteString("diag", options.Diagnostic);
            w.WriteNumber("value", value);
        });
        return 0;
    }

    return options.IdleConnections > 0 ? IdleRun.Run(options, Console.Out) : LoadRun.Run(options, Console.Out);
}
catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidDataException)
{
    await Console.Error.WriteLineAsync("load generator: " + ex.Message).ConfigureAwait(false);
    return 1;
}
