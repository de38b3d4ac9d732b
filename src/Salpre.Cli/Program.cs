using Salpre.Cli;

// Ctrl-C cancels the running command (an export then removes its partial file); a second Ctrl-C ends the process.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, press) =>
{
    press.Cancel = !interrupt.IsCancellationRequested;
    interrupt.Cancel();
};
return await SalpreCli.RunAsync(args, CliEnvironment.FromProcess(), interrupt.Token);
