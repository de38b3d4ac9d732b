using Microsoft.Extensions.Logging.Console;

namespace Salpre.Gateway.Hosting;

/// <summary>
/// The console log's format: a person (at a terminal, or trying the demo) reads one plain line per event; a service,
/// whose output goes to a collector, writes JSON lines. <c>Logging:Console:FormatterName</c> chooses either way.
/// </summary>
public static class GatewayLogging
{
    public static WebApplicationBuilder AddGatewayLogging(this WebApplicationBuilder builder, bool demo)
    {
        if (string.IsNullOrEmpty(builder.Configuration["Logging:Console:FormatterName"]))
        {
            var forPeople = demo || !Console.IsOutputRedirected;
            builder.Services.Configure<ConsoleLoggerOptions>(console =>
                console.FormatterName = forPeople ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Json);
            builder.Services.Configure<SimpleConsoleFormatterOptions>(simple =>
            {
                simple.SingleLine = true;
                simple.TimestampFormat = "HH:mm:ss ";
            });
        }
        if (demo)
        {
            // The demo's banner says where it listens and how to stop it, and is the last thing printed at start.
            builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        }
        return builder;
    }
}
