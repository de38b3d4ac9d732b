using Spectre.Console;

namespace Salpre.Cli;

/// <summary>
/// What a command may touch of the outside world: its two streams, the environment variables, and whether a person
/// watches stderr. Tests pass their own.
/// </summary>
public sealed record CliEnvironment(
    TextWriter Out,
    TextWriter Error,
    Func<string, string?> Variable,
    bool OutIsTerminal,
    bool ErrorIsTerminal)
{
    public static CliEnvironment FromProcess() =>
        new(Console.Out, Console.Error, Environment.GetEnvironmentVariable, !Console.IsOutputRedirected, !Console.IsErrorRedirected);

    /// <summary>Spectre's console over <paramref name="writer"/>: colours and live displays only for a terminal.</summary>
    public IAnsiConsole ConsoleOver(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            // Redirected tables are read by programs and people with wide screens: no wrapping at 80 columns.
            console.Profile.Width = 240;
        }
        return console;
    }
}
