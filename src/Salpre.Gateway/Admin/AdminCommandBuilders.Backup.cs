using System.CommandLine;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Salpre.Storage;

namespace Salpre.Gateway.Admin;

public static partial class AdminCommandBuilders
{
    /// <summary>What <c>backup</c> says on PostgreSQL, which it does not copy: exit code 1, so a script knows it has no backup.</summary>
    public const string PostgresBackupAdvice =
        "PostgreSQL is backed up with its own tools, not this command: pg_dump --format=custom --file=salpre.dump \"$DATABASE_URL\" " +
        "(logical; restore with pg_restore), or pg_basebackup (physical, for point-in-time recovery). No backup was made.";

    /// <summary><c>backup --to PATH</c>: a consistent copy of the SQLite file beside a gateway serving it.</summary>
    public static Command Backup(AdminContext context)
    {
        var to = new Option<FileInfo>("--to") { Description = "The copy: a new file in an existing folder.", Required = true };
        var json = JsonOption();
        var command = new Command("backup", "Copy the SQLite database while the gateway serves it: every write committed when the copy starts.") { to, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (context.Services.GetService<IStorageBackup>() is not { } storage)
            {
                return Fail(parse, PostgresBackupAdvice);
            }
            var target = parse.GetValue(to)!.FullName;
            var clock = Stopwatch.StartNew();
            long bytes;
            try
            {
                bytes = await storage.BackupAsync(target, cancellationToken);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or DbException)
            {
                return Fail(parse, $"No backup was made: {exception.Message}");
            }
            var seconds = clock.Elapsed.TotalSeconds;
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Backed up {storage.Source} to {target}: {bytes / 1e6:0.0} MB in {seconds:0.00} s."));
            if (parse.GetValue(json))
            {
                AdminOutput.WriteJson(context.Output, new AdminResult { Path = target, Bytes = bytes, Seconds = Math.Round(seconds, 3) });
            }
            return 0;
        });
        return command;
    }
}
