using Microsoft.Data.Sqlite;
using Salpre.Storage.Calls;

namespace Salpre.Storage.Sqlite;

public sealed class SqliteCallStore(SqliteDatabase database) : ICallStore
{
    public async Task<IReadOnlyList<CallRecord>> ListAsync(long accountId, CallQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        CallSql.PrepareList(command, accountId, query);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var calls = new List<CallRecord>(query.Limit);
        while (await reader.ReadAsync(cancellationToken))
        {
            calls.Add(CallSql.ReadCall(reader));
        }
        return calls;
    }

    public async Task<long> CountAsync(long accountId, CallFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        CallSql.PrepareCount(command, accountId, filter);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<CallDetailsRecord?> GetAsync(long accountId, long callNum, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = CallSql.SelectOne;
        command.Parameters.AddWithValue("@account", accountId);
        command.Parameters.AddWithValue("@num", callNum);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new CallDetailsRecord(
            CallSql.ReadCall(reader),
            AudioRecordUrl: reader.IsDBNull(9) ? null : reader.GetString(9),
            Transcript: reader.IsDBNull(10) ? null : reader.GetString(10),
            VariablesJson: reader.IsDBNull(11) ? null : reader.GetString(11));
    }

    public async Task<long> ReserveCallNumbersAsync(long count, long above, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var (connection, transaction) = await database.BeginWriteAsync(cancellationToken);
        await using (connection)
        await using (transaction)
        {
            await using var command = connection.CreateCommand();
            command.CommandText =
                "UPDATE counters SET value = max(value, @above + 1) + @count WHERE name = 'next_call_num' " +
                "RETURNING value - @count";
            command.Parameters.AddWithValue("@above", above);
            command.Parameters.AddWithValue("@count", count);
            var first = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            await transaction.CommitAsync(cancellationToken);
            return first;
        }
    }

    public async Task<ImportOutcome> ImportAsync(long accountId, IAsyncEnumerable<ImportedCall> calls, CancellationToken cancellationToken)
    {
        var (connection, transaction) = await database.BeginWriteAsync(cancellationToken);
        await using (connection)
        await using (transaction)
        {
            await using var insertCall = connection.CreateCommand();
            insertCall.CommandText =
                "INSERT INTO calls (account_id, started_at, call_num, status, from_addr, to_addr, agent_id, direction, ended_at, duration_sec) " +
                "VALUES (@account, @started_at, @num, @status, @from, @to, @agent, @direction, @ended_at, @duration) " +
                "ON CONFLICT DO NOTHING";
            var callParameters = AddParameters(insertCall, "@account", "@started_at", "@num", "@status", "@from", "@to", "@agent", "@direction", "@ended_at", "@duration");
            await using var insertDetails = connection.CreateCommand();
            insertDetails.CommandText =
                "INSERT INTO call_details (account_id, call_num, audio_record_url, transcript, variables) " +
                "VALUES (@account, @num, @url, @transcript, @variables)";
            var detailParameters = AddParameters(insertDetails, "@account", "@num", "@url", "@transcript", "@variables");
            insertCall.Prepare();
            insertDetails.Prepare();

            long inserted = 0, present = 0, highest = 0;
            await foreach (var call in calls.WithCancellation(cancellationToken))
            {
                Fill(callParameters, accountId, call.StartedAt, call.CallNum, (int)call.Status, call.From, call.To,
                    call.AgentId, (int)call.Direction, call.EndedAt, call.DurationSec);
                if (await insertCall.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    present++;
                    continue;
                }
                inserted++;
                highest = Math.Max(highest, call.CallNum);
                if (call.AudioRecordUrl is not null || call.Transcript is not null || call.VariablesJson is not null)
                {
                    Fill(detailParameters, accountId, call.CallNum, call.AudioRecordUrl, call.Transcript, call.VariablesJson);
                    await insertDetails.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            // Numbers given here must never be handed out again by the generator.
            await using var bump = connection.CreateCommand();
            bump.CommandText = "UPDATE counters SET value = max(value, @next) WHERE name = 'next_call_num'";
            bump.Parameters.AddWithValue("@next", highest + 1);
            await bump.ExecuteNonQueryAsync(cancellationToken);

            await transaction.CommitAsync(cancellationToken);
            return new ImportOutcome(inserted, present);
        }
    }

    private static SqliteParameter[] AddParameters(SqliteCommand command, params string[] names) =>
        [.. names.Select(name => command.Parameters.Add(new SqliteParameter { ParameterName = name }))];

    private static void Fill(SqliteParameter[] parameters, params object?[] values)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }
}
