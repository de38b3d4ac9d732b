using System.Net;
using Microsoft.Extensions.Time.Testing;
using Salpre.Client.Tests.Infrastructure;

namespace Salpre.Client.Tests;

/// <summary>
/// How <c>FollowAsync</c> and the feed's pages use the wire, on scripted answers and a fake clock: through the cursor
/// while there is more, then from the last id, waiting the poll interval only once caught up.
/// </summary>
public sealed class EventsFollowTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static SalpreClient Client(ScriptedHandler handler) => handler.CreateClient(new SalpreRetryOptions { MaxRetries = 0 });

    private static string Event(int n, string type = "call.busy") =>
        $$$"""{"id":"evt_{{{n:D26}}}","type":"{{{type}}}","timestamp":"2026-11-28T00:00:0{{{n}}}.25Z","data":{"call_id":"c{{{n}}}","status":"busy","previous_status":"ringing","sequence":{{{n}}}}}""";

    private static Func<HttpRequestMessage, HttpResponseMessage> Page(bool hasNext, string? cursor, params string[] events) =>
        _ => ScriptedHandler.Answer(HttpStatusCode.OK,
            $$$"""{"status":"success","data":[{{{string.Join(',', events)}}}],"meta":{"per_page":2,"has_next":{{{(hasNext ? "true" : "false")}}},"next_cursor":{{{(cursor is null ? "null" : $"\"{cursor}\"")}}}}}""");

    [Fact]
    public async Task FollowAsync_goes_through_the_cursor_then_polls_after_the_last_id_every_interval()
    {
        var handler = new ScriptedHandler(_clock,
            Page(hasNext: true, "C1", Event(1), Event(2)),
            Page(hasNext: false, null, Event(3)),
            Page(hasNext: false, null),
            Page(hasNext: false, null, Event(4, "call.completed")));
        using var client = Client(handler);
        var options = new EventListOptions { Types = [EventTypes.CallBusy, EventTypes.CallCompleted] };

        var seen = await _clock.DriveAsync(client.Events.FollowAsync(options, TimeSpan.FromSeconds(1), Cancel).Take(4).ToListAsync(Cancel).AsTask());

        Assert.Equal(["c1", "c2", "c3", "c4"], seen.Select(e => e.Call!.CallId));
        var queries = handler.Attempts.Select(a => a.Request.RequestUri!.Query).ToList();
        Assert.Equal(
            [
                "?type=call.busy%2Ccall.completed",
                "?cursor=C1&type=call.busy%2Ccall.completed",
                $"?after=evt_{3:D26}&type=call.busy%2Ccall.completed",
                $"?after=evt_{3:D26}&type=call.busy%2Ccall.completed",
            ],
            queries);
        Assert.All(handler.Attempts, a => Assert.Equal("/api/gateway/v1/events", a.Request.RequestUri!.AbsolutePath));
        var at = handler.Attempts.Select(a => a.At - handler.Attempts[0].At).ToList();
        Assert.Equal(TimeSpan.Zero, at[1]);
        Assert.InRange(at[2], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.2));
        Assert.InRange(at[3] - at[2], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.2));
    }

    [Fact]
    public async Task Event_fields_are_read_as_sent()
    {
        var handler = new ScriptedHandler(_clock, Page(hasNext: false, null, Event(7)));
        using var client = Client(handler);

        var page = await client.Events.ListAsync(new EventListOptions { PerPage = 5, After = "evt_x" }, Cancel);

        var item = Assert.Single(page.Items);
        Assert.Equal($"evt_{7:D26}", item.Id);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 0, 0, 7, 250, TimeSpan.Zero), item.Timestamp);
        Assert.Equal(Event(7), item.RawJson);
        Assert.Equal((CallStatus.Busy, CallStatus.Ringing, 7), (item.Call!.Status, item.Call.PreviousStatus, item.Call.Sequence));
        Assert.Equal("?per_page=5&after=evt_x", handler.Attempts[0].Request.RequestUri!.Query);
        Assert.Equal((2, false, null), (page.PerPage, page.HasNext, page.NextCursor));
    }

    [Theory]
    [InlineData("""{"id":"evt_1"}""")]
    [InlineData("1")]
    [InlineData("""{"id":"evt_1","type":"call.busy","timestamp":"yesterday","data":{}}""")]
    [InlineData("""{"id":"evt_1","type":"call.busy","timestamp":"2026-11-28T00:00:00Z","data":{"status":"busy"}}""")]
    public async Task An_event_that_is_not_one_is_an_invalid_response(string item)
    {
        var handler = new ScriptedHandler(_clock, Page(hasNext: false, null, item));
        using var client = Client(handler);

        var failure = await Assert.ThrowsAsync<SalpreApiException>(() => client.Events.ListAsync(cancellationToken: Cancel));

        Assert.Equal((HttpStatusCode.OK, SalpreApiException.InvalidResponseCode), (failure.StatusCode, failure.Code));
    }

    [Fact]
    public void Parse_reads_a_delivery_body_and_keeps_its_text()
    {
        var parsed = SalpreEvent.Parse(System.Text.Encoding.UTF8.GetBytes(Event(3)));

        Assert.Equal((Event(3), "c3", 3), (parsed.RawJson, parsed.Call!.CallId, parsed.Call.Sequence));
        Assert.Null(SalpreEvent.Parse("""{"id":"evt_1","type":"webhook.test","timestamp":"2026-11-28T00:00:00.000Z","data":{"webhook_id":"wh_1"}}""").Call);
        var device = SalpreEvent.Parse("""{"id":"evt_2","type":"device.connected","timestamp":"2026-11-28T00:00:00.000Z","data":{"id":3,"serial_no":"SALPRE_1","connected":true}}""");
        Assert.Equal(("SALPRE_1", true), (device.Device!.SerialNo, device.Device.Connected));
        Assert.Throws<System.Text.Json.JsonException>(() => SalpreEvent.Parse("""{"type":"call.busy"}"""));
    }

    [Fact]
    public void Event_types_follow_the_statuses()
    {
        Assert.Equal(
            [EventTypes.CallInitiated, EventTypes.CallRinging, EventTypes.CallInProgress, EventTypes.CallCompleted, EventTypes.CallBusy, EventTypes.CallNoAnswer, EventTypes.CallFailed, EventTypes.CallCanceled],
            Enum.GetValues<CallStatus>().Where(s => s != CallStatus.Unknown).Select(EventTypes.Of));
        Assert.Equal("call.no_answer", EventTypes.Of(CallStatus.NoAnswer));
    }
}
