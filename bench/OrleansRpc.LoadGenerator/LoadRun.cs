using System.Diagnostics;

namespace OrleansRpc.LoadGenerator;

/// <summary>Connections × in-flight × duration against one target; prints one JSON line.</summary>
public static class LoadRun
{
    public static int Run(LoadOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);

        var connections = new List<LoadConnection>(options.Connections);
        DiagnosticClient? diagnostics = null;
        try
        {
            diagnostics = options.ServerAllocation ? new DiagnosticClient(options) : null;
            RunClock clock = new(options.WarmupSeconds, options.DurationSeconds);
            for (int i = 0; i < options.Connections; i++)
            {
                var connection = new LoadConnection(options, clock);
                connections.Add(connection);
                connection.Handshake();
            }

            var threads = connections.Select(c => new Thread(c.Run) { IsBackground = true, Name = "load" }).ToList();
            threads.ForEach(t => t.Start());

            // The allocation figure: server bytes allocated between the window's ends over the calls answered in between.
            long allocated0 = 0, calls0 = 0, allocated1 = 0, calls1 = 0;
            if (diagnostics is not null)
            {
                SleepUntil(clock.MeasureStart);
                calls0 = connections.Sum(c => c.TotalCompleted);
                allocated0 = diagnostics.AllocatedBytes();
                SleepUntil(clock.MeasureEnd);
                allocated1 = diagnostics.AllocatedBytes();
                calls1 = connections.Sum(c => c.TotalCompleted);
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            var histogram = new LatencyHistogram();
            connections.ForEach(c => histogram.Add(c.Histogram));
            long completed = connections.Sum(c => c.Completed);
            long items = connections.Sum(c => c.Items);
            long errors = connections.Sum(c => c.Errors);
            string? failure = connections.Select(c => c.Failure).FirstOrDefault(f => f is not null);
            double seconds = clock.DurationSeconds;
            JsonLine.Write(output, w =>
            {
                w.WriteString("mode", "load");
                w.WriteString("label", options.Label);
                w.WriteString("workload", options.Workload.ToString().ToLowerInvariant());
                w.WriteString("target", $"{options.Host}:{options.Port}");
                w.WriteNumber("connections", options.Connections);
                w.WriteNumber("inflight", options.InFlight);
                w.WriteNumber("payload", options.PayloadBytes);
                w.WriteNumber("duration_s", Math.Round(seconds, 3));
                w.WriteNumber("calls", completed);
                w.WriteNumber("calls_per_s", Math.Round(completed / seconds, 1));
                w.WriteNumber("items", items);
                w.WriteNumber("items_per_s", Math.Round(items / seconds, 1));
                w.WriteNumber("errors", errors);
                w.WriteNumber("p50_us", Micro(histogram.ValueAtPercentile(50)));
                w.WriteNumber("p90_us", Micro(histogram.ValueAtPercentile(90)));
                w.WriteNumber("p99_us", Micro(histogram.ValueAtPercentile(99)));
                w.WriteNumber("p999_us", Micro(histogram.ValueAtPercentile(99.9)));
                w.WriteNumber("max_us", Micro(histogram.Max));
                w.WriteNumber("mean_us", Micro(histogram.Count == 0 ? 0 : histogram.Sum / histogram.Count));
                if (diagnostics is not null)
                {
                    long calls = calls1 - calls0;
                    w.WriteNumber("server_alloc_bytes", allocated1 - allocated0);
                    w.WriteNumber("server_alloc_calls", calls);
                    w.WriteNumber("server_alloc_bytes_per_call", calls == 0 ? 0 : Math.Round((allocated1 - allocated0) / (double)calls, 1));
                }

                if (failure is not null)
                {
                    w.WriteString("failure", failure);
                }
            });
            return errors == 0 && failure is null ? 0 : 1;
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
            diagnostics?.Dispose();
        }
    }

    private static double Micro(double nanoseconds) => Math.Round(nanoseconds / 1000.0, 1);

    private static void SleepUntil(long timestamp)
    {
        long remaining = timestamp - Stopwatch.GetTimestamp();
        if (remaining > 0)
        {
            Thread.Sleep(TimeSpan.FromSeconds(remaining / (double)Stopwatch.Frequency));
        }
    }
}
