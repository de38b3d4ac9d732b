// Writes the benchmark's call history, deterministically: the same arguments always give the same bytes.
//   dotnet Salpre.Bench.Data.dll --calls 1000000 --accounts 100 --big-share 0.3 --out DIR [--csv FILE]
// DIR receives account-001.ndjson ... (one file per account, for the gateway's own `import` command);
// --csv also writes every call in one CSV with its account_id, for loading the same data into peers.
using System.Globalization;
using Salpre.Bench.Data;

var options = GeneratorOptions.Parse(args);
Directory.CreateDirectory(options.OutputDirectory);
using var csv = options.CsvPath is null ? null : new StreamWriter(options.CsvPath);
csv?.WriteLine("account_id,call_num,status,from_addr,to_addr,agent_id,direction,started_at,ended_at,duration_sec");

var generator = new CallGenerator(options);
long written = 0;
for (var account = 1; account <= options.Accounts; account++)
{
    var path = Path.Combine(options.OutputDirectory, string.Create(CultureInfo.InvariantCulture, $"account-{account:000}.ndjson"));
    using var ndjson = new StreamWriter(path);
    foreach (var call in generator.CallsOf(account))
    {
        ndjson.WriteLine(call.ToJson());
        csv?.WriteLine(call.ToCsv(account));
        written++;
    }
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{written} calls over {options.Accounts} accounts in {options.OutputDirectory}"));
