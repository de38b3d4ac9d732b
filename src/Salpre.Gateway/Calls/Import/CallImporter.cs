using System.Runtime.CompilerServices;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls.Import;

public readonly record struct ImportProblem(long LineNumber, string Reason);

/// <param name="Written">False when invalid lines stopped the import: then nothing of the file was written.</param>
public sealed record ImportReport(
    long Imported,
    long AlreadyPresent,
    long InvalidLines,
    IReadOnlyList<ImportProblem> Problems,
    bool Written);

/// <summary>
/// Imports a call file in two streaming passes, so memory stays flat whatever the file's size. The first pass
/// validates every line and writes nothing; the second writes the valid calls in one transaction. Calls without a
/// call_id get numbers above every number in the file, so they can never collide with the file's own ids.
/// </summary>
public sealed class CallImporter(ICallStore calls)
{
    public const int MaxReportedProblems = 100;

    /// <param name="withEvents">Each new call also makes the event of its status (for webhooks and the feed); off by default.</param>
    public async Task<ImportReport> ImportAsync(long accountId, string path, bool skipInvalid, CancellationToken cancellationToken, bool withEvents = false)
    {
        if (await CallFileReader.FindLineNotUtf8Async(path, cancellationToken) is { } notUtf8)
        {
            // Its text cannot be read as it is (a Latin-1 or UTF-16 export?): the whole file is refused, whatever --skip-invalid says.
            return new ImportReport(0, 0, 1, [new ImportProblem(notUtf8, "not UTF-8 text: save the file as UTF-8 (--skip-invalid cannot skip this)")], Written: false);
        }
        var problems = new List<ImportProblem>();
        long invalid = 0, withoutId = 0, highestId = 0;
        await foreach (var line in CallFileReader.ReadAsync(path, cancellationToken))
        {
            if (!TryValidate(line, out var call, out var reason))
            {
                invalid++;
                if (problems.Count < MaxReportedProblems)
                {
                    problems.Add(new ImportProblem(line.LineNumber, reason));
                }
                continue;
            }
            if (call.CallNum is { } callNum)
            {
                highestId = Math.Max(highestId, callNum);
            }
            else
            {
                withoutId++;
            }
        }
        if (invalid > 0 && !skipInvalid)
        {
            return new ImportReport(0, 0, invalid, problems, Written: false);
        }

        var firstNew = withoutId > 0 ? await calls.ReserveCallNumbersAsync(withoutId, highestId, cancellationToken) : 0;
        var outcome = await calls.ImportAsync(accountId, ValidCallsAsync(path, firstNew, withoutId, cancellationToken), withEvents, cancellationToken);
        return new ImportReport(outcome.Inserted, outcome.AlreadyPresent, invalid, problems, Written: true);
    }

    private static async IAsyncEnumerable<CallDetailsRecord> ValidCallsAsync(
        string path, long firstNew, long reserved, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var used = 0L;
        await foreach (var line in CallFileReader.ReadAsync(path, cancellationToken))
        {
            if (!TryValidate(line, out var call, out _))
            {
                continue;
            }
            if (call.CallNum is not null)
            {
                yield return call.Details;
                continue;
            }
            if (++used > reserved)
            {
                // Throwing rolls the whole import back.
                throw new InvalidOperationException("The file changed while it was being imported.");
            }
            yield return call.Details with { Call = call.Details.Call with { CallNum = firstNew + used - 1 } };
        }
    }

    private static bool TryValidate(ImportLine line, out ValidCall call, out string reason)
    {
        if (line.Call is null)
        {
            call = null!;
            reason = line.Error!;
            return false;
        }
        return CallValidation.TryValidate(line.Call, out call, out reason);
    }
}
