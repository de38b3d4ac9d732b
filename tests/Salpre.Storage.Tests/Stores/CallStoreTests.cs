using CsCheck;
using Salpre.Storage.Calls;

namespace Salpre.Storage.Tests.Stores;

/// <summary>Behaviour every store must show, run once per provider by the subclasses below.</summary>
public abstract class CallStoreTests<TStore> where TStore : IStoreProvider
{
    private static CallDetailsRecord Call(long number, long startedAt, CallStatus status = CallStatus.Completed, long agent = 1, string to = "+905321234567") =>
        new(new CallRecord(number, status, "salprebox:A", to, agent, CallDirection.Outbound, startedAt,
            status.IsFinal() ? startedAt + 60 : null, status.IsFinal() ? 50 : null), null, null, null);

    private static async IAsyncEnumerable<CallDetailsRecord> Stream(IEnumerable<CallDetailsRecord> calls, int failAfter = int.MaxValue)
    {
        var i = 0;
        foreach (var call in calls)
        {
            if (i++ == failAfter)
            {
                throw new InvalidDataException("the source broke");
            }
            yield return call;
            await Task.Yield();
        }
    }

    [Fact]
    public async Task An_import_that_fails_midway_writes_nothing()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(2);
        var calls = Enumerable.Range(1, 100).Select(i => Call(i, 1_760_000_000 + i)).ToList();

        await Assert.ThrowsAsync<InvalidDataException>(() => db.Calls.ImportAsync(1, Stream(calls, failAfter: 60), TestContext.Current.CancellationToken));

        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM calls"));
        Assert.Equal(1, await db.Calls.ReserveCallNumbersAsync(0, 0, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Reimporting_leaves_calls_as_they_were()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(2);
        var first = await db.Calls.ImportAsync(1, Stream([Call(7, 1_760_000_000), Call(8, 1_760_000_100)]), TestContext.Current.CancellationToken);

        var second = await db.Calls.ImportAsync(1, Stream([Call(7, 1_760_000_999, CallStatus.Failed), Call(9, 1_760_000_200)]), TestContext.Current.CancellationToken);

        Assert.Equal(new ImportOutcome(2, 0), first);
        Assert.Equal(new ImportOutcome(1, 1), second);
        var seven = await db.Calls.GetAsync(1, 7, TestContext.Current.CancellationToken);
        Assert.Equal(CallStatus.Completed, seven!.Call.Status);
        Assert.Equal(1_760_000_000, seven.Call.StartedAt);
        Assert.Equal(3, await db.ScalarAsync<long>("SELECT count(*) FROM calls"));
    }

    [Fact]
    public async Task A_number_twice_in_one_file_is_written_once_with_its_first_details()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(1);
        var ct = TestContext.Current.CancellationToken;
        var first = Call(5, 1_760_000_000) with { Transcript = "first", VariablesJson = """{"b":1,"a":2}""" };
        var again = Call(5, 1_760_000_500) with { Transcript = "again" };

        var outcome = await db.Calls.ImportAsync(1, Stream([first, again, Call(6, 1_760_000_100)]), ct);

        Assert.Equal(new ImportOutcome(2, 1), outcome);
        var five = await db.Calls.GetAsync(1, 5, ct);
        Assert.Equal(1_760_000_000, five!.Call.StartedAt);
        Assert.Equal("first", five.Transcript);
        Assert.Equal("""{"b":1,"a":2}""", five.VariablesJson);
    }

    [Fact]
    public async Task Moves_the_accounts_version_when_its_calls_change_and_only_then()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(2);
        var ct = TestContext.Current.CancellationToken;
        var before = await db.Calls.GetVersionAsync(1, ct);

        await db.Calls.ImportAsync(1, Stream([Call(1, 1_760_000_000)]), ct);
        var afterImport = await db.Calls.GetVersionAsync(1, ct);
        await db.Calls.ImportAsync(1, Stream([Call(1, 1_760_000_000)]), ct);
        var afterNoChange = await db.Calls.GetVersionAsync(1, ct);

        Assert.True(afterImport > before);
        Assert.Equal(afterImport, afterNoChange);
        Assert.Equal(0, await db.Calls.GetVersionAsync(2, ct));
    }

    [Fact]
    public async Task The_same_number_can_live_in_two_accounts()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(2);

        await db.Calls.ImportAsync(1, Stream([Call(874, 1_760_000_000)]), TestContext.Current.CancellationToken);
        var other = await db.Calls.ImportAsync(2, Stream([Call(874, 1_760_000_500, agent: 9)]), TestContext.Current.CancellationToken);

        Assert.Equal(1, other.Inserted);
        Assert.Equal(1, (await db.Calls.GetAsync(1, 874, TestContext.Current.CancellationToken))!.Call.AgentId);
        Assert.Equal(9, (await db.Calls.GetAsync(2, 874, TestContext.Current.CancellationToken))!.Call.AgentId);
        Assert.Null(await db.Calls.GetAsync(3, 874, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Reserves_numbers_above_everything_given_out_or_imported()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(2);

        var first = await db.Calls.ReserveCallNumbersAsync(10, 0, TestContext.Current.CancellationToken);
        await db.Calls.ImportAsync(1, Stream([Call(500, 1_760_000_000)]), TestContext.Current.CancellationToken);
        var second = await db.Calls.ReserveCallNumbersAsync(5, 0, TestContext.Current.CancellationToken);
        var third = await db.Calls.ReserveCallNumbersAsync(1, 10_000, TestContext.Current.CancellationToken);

        Assert.Equal(1, first);
        Assert.Equal(501, second);
        Assert.Equal(10_001, third);
    }

    [Fact]
    public async Task A_make_call_during_an_import_is_numbered_above_the_imported_calls()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(1);
        var ct = TestContext.Current.CancellationToken;
        var importing = new TaskCompletionSource();
        async IAsyncEnumerable<CallDetailsRecord> SlowImport()
        {
            yield return Call(1000, 1_760_000_000);
            importing.SetResult();
            await Task.Delay(300, ct);
            yield return Call(1001, 1_760_000_100);
        }

        var import = Task.Run(() => db.Calls.ImportAsync(1, SlowImport(), ct), ct);
        await importing.Task;
        var created = await db.Calls.CreateAsync(1, new NewCall("salprebox:A", "+905321234567", 7, 1_760_000_200), null, _ => [], ct);

        Assert.Equal(new ImportOutcome(2, 0), await import);
        Assert.True(Assert.IsType<CreateOutcome.Created>(created).Call.CallNum > 1001);
    }

    [Fact]
    public async Task Concurrent_reads_on_pooled_connections_each_get_their_own_answer()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(2);
        await db.Calls.ImportAsync(1, Stream(Enumerable.Range(1, 200).Select(i => Call(i, 1_760_000_000 + i))), TestContext.Current.CancellationToken);
        await db.Calls.ImportAsync(2, Stream(Enumerable.Range(1, 200).Select(i => Call(1000 + i, 1_760_000_000 + i))), TestContext.Current.CancellationToken);

        await Parallel.ForAsync(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var account = 1 + i % 2;
            var limit = 1 + i % 50;
            var page = await db.Calls.ListAsync(account, new CallQuery(CallFilter.None, false, null, 0, limit), ct);
            Assert.Equal(limit, page.Count);
            Assert.Equal(account == 1 ? 200 : 1200, page[0].CallNum);
            var one = await db.Calls.GetAsync(account, page[^1].CallNum, ct);
            Assert.Equal(page[^1], one!.Call);
        });
    }

    [Fact]
    public async Task Concurrent_make_calls_under_one_key_create_exactly_one_call()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(1);
        var claim = new IdempotencyClaim("key-1", [1, 2, 3], ExpiredBefore: 0);
        var call = new NewCall("salprebox:A", "+905321234567", 7, 1_760_000_000);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            db.Calls.CreateAsync(1, call, claim, created => System.Text.Encoding.UTF8.GetBytes($"c{created.CallNum}"), TestContext.Current.CancellationToken))));

        var created = Assert.Single(outcomes.OfType<CreateOutcome.Created>());
        Assert.All(outcomes.OfType<CreateOutcome.Replayed>(), replay => Assert.Equal(created.Response, replay.Response));
        Assert.Equal(15, outcomes.OfType<CreateOutcome.Replayed>().Count());
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT count(*) FROM calls"));
        Assert.Equal(1, await db.Calls.CountAsync(1, CallFilter.None, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_key_reused_for_another_request_conflicts_and_an_expired_key_starts_afresh()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(1);
        var ct = TestContext.Current.CancellationToken;
        var call = new NewCall("salprebox:A", "+905321234567", 7, 1_760_000_000);
        static byte[] Render(CallRecord created) => [(byte)created.CallNum];

        var first = await db.Calls.CreateAsync(1, call, new IdempotencyClaim("k", [1], 0), Render, ct);
        var other = await db.Calls.CreateAsync(1, call, new IdempotencyClaim("k", [2], 0), Render, ct);
        var found = await db.Calls.FindIdempotentAsync(1, new IdempotencyClaim("k", [1], 0), ct);
        var afresh = await db.Calls.CreateAsync(1, call with { StartedAt = 1_760_100_000 }, new IdempotencyClaim("k", [2], 1_760_050_000), Render, ct);

        Assert.IsType<CreateOutcome.Created>(first);
        Assert.IsType<CreateOutcome.KeyReused>(other);
        Assert.Equal(((CreateOutcome.Created)first).Response, Assert.IsType<CreateOutcome.Replayed>(found).Response);
        Assert.NotEqual(((CreateOutcome.Created)first).Call.CallNum, Assert.IsType<CreateOutcome.Created>(afresh).Call.CallNum);
        Assert.Equal(1, await db.Calls.ForgetIdempotencyKeysAsync(1_760_200_000, ct));
    }

    [Fact]
    public async Task Concurrent_reports_of_one_call_are_each_judged_against_the_one_before()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(1);
        var ct = TestContext.Current.CancellationToken;
        var created = (CreateOutcome.Created)await db.Calls.CreateAsync(1, new NewCall("salprebox:A", "+905321234567", 7, 1_760_000_000), null, _ => [], ct);
        var num = created.Call.CallNum;
        CallStatus[] reports = [CallStatus.Ringing, CallStatus.InProgress, CallStatus.Completed, CallStatus.Busy, CallStatus.Failed, CallStatus.Canceled, CallStatus.NoAnswer];

        // Every report at the same instant, so that only the lifecycle decides which may follow which.
        var outcomes = await Task.WhenAll(reports.Select(status => Task.Run(() =>
            db.Calls.RecordEventAsync(1, num, new CallEvent(status, 1_760_000_010, null), null, ct))));

        var log = (await db.Calls.ListEventsAsync(1, num, ct))!;
        var applied = outcomes.Where(o => o.Result == EventResult.Applied).ToList();
        Assert.Equal(applied.Count + 1, log.Count);
        Assert.All(log.Zip(log.Skip(1)), step => Assert.True(CallLifecycle.CanMove(step.First.Status, step.Second.Status), $"{step.First.Status} -> {step.Second.Status}"));
        Assert.True(log[^1].Status.IsFinal());
        Assert.Equal(log[^1].Status, (await db.Calls.GetAsync(1, num, ct))!.Call.Status);
        Assert.Equal(applied.Count + 1, await db.Calls.GetVersionAsync(1, ct));
    }

    /// <summary>The list query against LINQ over the same rows, for random filters, orders and positions.</summary>
    [Fact]
    public async Task Lists_what_an_independent_model_lists()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(2);
        var random = new Random(5);
        var rows = Enumerable.Range(1, 600)
            .Select(i => Call(i, 1_760_000_000 + random.Next(0, 300) * 60, (CallStatus)random.Next(8), random.Next(1, 5), $"+90532{random.Next(3)}"))
            .ToList();
        await db.Calls.ImportAsync(1, Stream(rows), TestContext.Current.CancellationToken);
        await db.Calls.ImportAsync(2, Stream(rows.Take(50)), TestContext.Current.CancellationToken);

        var gen = Gen.Select(Gen.Int[0, 255], Gen.Int[0, 15], Gen.Bool, Gen.Int[-1, 600], Gen.Int[0, 700], Gen.Int[1, 101]);
        await gen.SampleAsync(async (statusMask, agentMask, ascending, afterIndex, offset, limit) =>
        {
            var agents = Enumerable.Range(1, 4).Where(a => (agentMask & (1 << (a - 1))) != 0).Select(a => (long)a).ToArray();
            var filter = new CallFilter { StatusMask = statusMask, AgentIds = agents };
            IEnumerable<CallDetailsRecord> model = rows.Where(c => (statusMask == 0 || (statusMask & (1 << (int)c.Call.Status)) != 0) && (agents.Length == 0 || agents.Contains(c.Call.AgentId)));
            model = ascending ? model.OrderBy(c => c.Call.StartedAt).ThenBy(c => c.Call.CallNum) : model.OrderByDescending(c => c.Call.StartedAt).ThenByDescending(c => c.Call.CallNum);
            CallPosition? after = null;
            if (afterIndex >= 0)
            {
                var anchor = rows[afterIndex % rows.Count];
                after = new CallPosition(anchor.Call.StartedAt, anchor.Call.CallNum);
                model = ascending
                    ? model.Where(c => c.Call.StartedAt > anchor.Call.StartedAt || c.Call.StartedAt == anchor.Call.StartedAt && c.Call.CallNum > anchor.Call.CallNum)
                    : model.Where(c => c.Call.StartedAt < anchor.Call.StartedAt || c.Call.StartedAt == anchor.Call.StartedAt && c.Call.CallNum < anchor.Call.CallNum);
            }
            else
            {
                model = model.Skip(offset);
            }

            var listed = await db.Calls.ListAsync(1, new CallQuery(filter, ascending, after, offset, limit), CancellationToken.None);
            var counted = await db.Calls.CountAsync(1, filter, CancellationToken.None);

            Assert.Equal(model.Take(limit).Select(c => c.Call.CallNum), listed.Select(c => c.CallNum));
            Assert.Equal(rows.Count(c => (statusMask == 0 || (statusMask & (1 << (int)c.Call.Status)) != 0) && (agents.Length == 0 || agents.Contains(c.Call.AgentId))), counted);
        }, iter: 300, seed: "0001GtEAx1hY");
    }
}
