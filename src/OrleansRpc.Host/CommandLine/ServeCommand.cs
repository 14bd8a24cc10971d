using System.CommandLine;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OrleansRpc.Hosting;

namespace OrleansRpc.Host;

/// <summary><c>orleansrpc serve</c>: runs the silo, the rap gateway and the health endpoint until stopped.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config", "-c")
        {
            Description = "A JSON configuration file (appsettings format, section \"OrleansRpc\"). Overrides appsettings.json; environment variables override it.",
            HelpName = "FILE",
        };
        var functions = new Option<string[]>("--functions", "-f")
        {
            Description = "Function assemblies to load; every public class marked [RapGroup] is registered. Default: the Quickstart sample's functions (unless OrleansRpc:Functions:Assemblies is configured).",
            HelpName = "ASSEMBLY",
            AllowMultipleArgumentsPerToken = true,
        };
        var host = new Option<string?>("--host")
        {
            Description = "Gateway address (OrleansRpc:Gateway:Host). Default 127.0.0.1; * or 0.0.0.0 for every address.",
            HelpName = "H",
        };
        var port = new Option<int?>("--port", "-p")
        {
            Description = "Gateway port (OrleansRpc:Gateway:Port). Default 9000; 0 picks a free port.",
            HelpName = "P",
        };
        var healthPort = new Option<int?>("--health-port")
        {
            Description = "Health and metrics port (OrleansRpc:Health:Port). Default 8080.",
            HelpName = "P",
        };
        var set = new Option<string[]>("--set")
        {
            Description = "Sets any configuration key, e.g. --set OrleansRpc:Gateway:DrainTimeout=00:00:20. Repeatable; wins over every other source, --host and --port included.",
            HelpName = "KEY=VALUE",
        };
        set.Validators.Add(result =>
        {
            foreach (string value in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (value.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    result.AddError($"--set expects KEY=VALUE (got '{value}').");
                }
            }
        });

        var command = new Command("serve", "Runs an OrleansRpc silo with its rap gateway, health endpoint and metrics until SIGTERM/SIGINT.")
        {
            config, functions, host, port, healthPort, set,
        };

        command.SetAction((parseResult, cancellationToken) =>
        {
            var settings = new ServeSettings(
                parseResult.GetValue(config),
                parseResult.GetValue(functions) ?? [],
                parseResult.GetValue(host),
                parseResult.GetValue(port),
                parseResult.GetValue(healthPort),
                parseResult.GetValue(set) ?? []);
            return RunAsync(settings, parseResult.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    internal static async Task<int> RunAsync(ServeSettings settings, TextWriter error, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = Build(settings);
        }
        catch (Exception ex) when (IsConfigurationError(ex))
        {
            await WriteConfigurationErrorAsync(error, ex).ConfigureAwait(false);
            return ExitCodes.UsageOrConfiguration;
        }
        catch (Exception ex)
        {
            // e.g. a function group whose constructor needs a service nobody registered: one line, not a stack trace.
            return await StartFailedAsync(error, ex).ConfigureAwait(false);
        }

        await using (app.ConfigureAwait(false))
        {
            IReadOnlyList<ListenerCheck.Listener> listeners = ListenerCheck.Listeners(app.Services);
            foreach (ListenerCheck.Listener listener in listeners)
            {
                if (ListenerCheck.Check(listener) is { } problem)
                {
                    await error.WriteLineAsync($"orleansrpc serve: failed to start: {problem}").ConfigureAwait(false);
                    return ExitCodes.RuntimeFailure;
                }
            }

            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConfigurationError(ex))
            {
                await WriteConfigurationErrorAsync(error, ex).ConfigureAwait(false);
                return ExitCodes.UsageOrConfiguration;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ListenerCheck.DescribeStartFailure(ex, listeners) is { } bindFailure)
            {
                await error.WriteLineAsync($"orleansrpc serve: failed to start: {bindFailure}").ConfigureAwait(false);
                return ExitCodes.RuntimeFailure;
            }
            catch (Exception ex)
            {
                return await StartFailedAsync(error, ex).ConfigureAwait(false);
            }

            // Runs until SIGTERM/SIGINT (the host's console lifetime) or the caller's cancellation.
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }
    }

    /// <summary>The generic host's own log category.</summary>
    internal const string HostLogCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    internal static WebApplication Build(ServeSettings settings)
    {
        if (settings.ConfigFile is { } file && !file.Exists)
        {
            throw new OptionsValidationException("--config", typeof(FileInfo), [$"--config: file '{file.FullName}' does not exist."]);
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "OrleansRpc.Host",
            ContentRootPath = AppContext.BaseDirectory,
        });

        if (settings.ConfigFile is { } configFile)
        {
            builder.Configuration.AddJsonFile(configFile.FullName, optional: false, reloadOnChange: false);
            builder.Configuration.AddEnvironmentVariables(); // environment variables still win over the file
        }

        builder.Configuration.AddInMemoryCollection(settings.Overrides());

        // The slim builder fixes the simple console formatter; let Logging:Console:FormatterName (e.g. "json"
        // in containers) choose.
        builder.Services.Configure<ConsoleLoggerOptions>(builder.Configuration.GetSection("Logging:Console"));

        // A start failure is printed as one line by RunAsync; the host would also log it at Error with a stack trace
        // ("Hosting failed to start"). Critical still shows a background service that stops the host at run time.
        builder.Logging.AddFilter(HostLogCategory, LogLevel.Critical);

        builder.UseOrleansRpc(rpc =>
        {
            foreach (string path in settings.Functions)
            {
                try
                {
                    rpc.AddFunctionAssembly(path);
                }
                catch (Exception ex) when (ex is FileNotFoundException or BadImageFormatException or FileLoadException)
                {
                    throw new OptionsValidationException("--functions", typeof(Assembly), [$"--functions: cannot load '{path}': {ex.Message}"]);
                }
            }

            bool configured = rpc.Configuration.GetSection(OrleansRpcSections.Functions + ":" + nameof(FunctionAssemblyOptions.Assemblies)).GetChildren().Any();
            if (settings.Functions.Count == 0 && !configured)
            {
                // The Quickstart sample, shipped beside the executable and loaded like any function assembly.
                rpc.AddFunctionAssembly(Path.Combine(AppContext.BaseDirectory, "functions", "Quickstart.dll"));
            }
        });

        // Validate every options type before the real build: Kestrel and hosted services read their options
        // while the host is built and started, which would report only the first bad section.
        using (ServiceProvider validation = builder.Services.BuildServiceProvider())
        {
            validation.GetService<IStartupValidator>()?.Validate();
        }

        return builder.Build();
    }

    /// <summary>True for errors the user fixes in the configuration or the command line (exit code 2).</summary>
    internal static bool IsConfigurationError(Exception exception) => exception switch
    {
        OptionsValidationException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsConfigurationError),
        InvalidDataException => true, // a configuration file that is not valid JSON
        InvalidOperationException when exception.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) => true,
        _ => false,
    };

    private static async Task<int> StartFailedAsync(TextWriter error, Exception exception)
    {
        await error.WriteLineAsync($"orleansrpc serve: failed to start: {exception.Message}").ConfigureAwait(false);
        return ExitCodes.RuntimeFailure;
    }

    private static async Task WriteConfigurationErrorAsync(TextWriter error, Exception exception)
    {
        foreach (string message in Messages(exception))
        {
            await error.WriteLineAsync($"orleansrpc serve: configuration error: {message}").ConfigureAwait(false);
        }
    }

    private static IEnumerable<string> Messages(Exception exception) => exception switch
    {
        OptionsValidationException validation => validation.Failures,
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Messages),
        _ => [exception.InnerException is { } inner ? $"{exception.Message} {inner.Message}" : exception.Message],
    };
}
