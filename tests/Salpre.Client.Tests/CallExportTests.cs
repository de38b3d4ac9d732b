using System.Net;
using System.Text;
using System.Text.Json;
using Salpre.Client.Serialization;
using Salpre.Client.Tests.Infrastructure;

namespace Salpre.Client.Tests;

/// <summary>
/// <see cref="CallsClient.ExportAsync"/> against the real gateway: the list's calls in one stream, a connection cut
/// mid-way resumed without losing or repeating a call, and the list walked instead on a server without the export.
/// </summary>
public sealed class CallExportTests(CallExportTests.Seeded gateway) : IClassFixture<CallExportTests.Seeded>
{
    /// <summary>One account with 5,000 calls, several of the export's 2,000-call reads.</summary>
    public sealed class Seeded : GatewayServer
    {
        public TestAccount Account { get; private set; } = null!;

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Account = await CreateAccountAsync();
            await SeedAsync(Account.Id, 5_000, seed: 21);
        }
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private SalpreClient Client(HttpMessageHandler? handler = null, int retries = 3) => new(
        new HttpClient(handler ?? new SocketsHttpHandler()),
        new SalpreClientOptions
        {
            ApiKey = gateway.Account.Key,
            BaseAddress = gateway.BaseAddress,
            Retry = new SalpreRetryOptions { MaxRetries = retries, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
        });

    private async Task<List<Call>> ListedAsync(CallListOptions options)
    {
        using var client = Client();
        return await client.Calls.ListAllAsync(options with { PerPage = 100 }, Cancel).ToListAsync(Cancel);
    }

    [Fact]
    public async Task Exports_the_calls_the_list_walks_to_in_its_order_and_filters()
    {
        using var client = Client();
        var filter = new CallExportOptions { Statuses = [CallStatus.Completed, CallStatus.Failed], Order = CallOrder.Ascending };

        var all = await client.Calls.ExportAsync(cancellationToken: Cancel).ToListAsync(Cancel);
        var filtered = await client.Calls.ExportAsync(filter, Cancel).ToListAsync(Cancel);

        Assert.Equal(await ListedAsync(new CallListOptions()), all);
        Assert.Equal(5_000, all.Count);
        Assert.Equal(await ListedAsync(new CallListOptions(filter) { Order = CallOrder.Ascending }), filtered);
        Assert.InRange(filtered.Count, 1, 4_999);
    }

    [Fact]
    public async Task With_details_each_call_is_its_details()
    {
        using var client = Client();

        var exported = await client.Calls.ExportAsync(new CallExportOptions { IncludeDetails = true, To = "+905321000001" }, Cancel).ToListAsync(Cancel);

        Assert.NotEmpty(exported);
        Assert.All(exported, call => Assert.IsType<CallDetails>(call));
        Assert.Contains(exported, call => ((CallDetails)call).Transcript is not null);
        foreach (var call in exported.Take(50))
        {
            var details = await client.Calls.GetAsync(call.CallId, Cancel);
            Assert.Equal(Json(details), Json((CallDetails)call));
        }
    }

    private static string Json(CallDetails call) => JsonSerializer.Serialize(call, SalpreJsonContext.Default.CallDetails);

    [Theory]
    [InlineData(1, 150_000)]
    [InlineData(3, 200_000)]
    [InlineData(2, 777)]
    public async Task A_connection_cut_mid_way_resumes_after_the_last_call_received_losing_and_repeating_nothing(int cuts, int bytesBeforeCut)
    {
        var cutter = new CuttingHandler(cuts, bytesBeforeCut);
        using var client = Client(cutter);

        var exported = await client.Calls.ExportAsync(cancellationToken: Cancel).ToListAsync(Cancel);

        Assert.Equal(await ListedAsync(new CallListOptions()), exported);
        Assert.Equal(cuts + 1, cutter.Requests.Count);
        Assert.DoesNotContain("after=", cutter.Requests[0].Query, StringComparison.Ordinal);
        // Each new request starts after a call that the previous one delivered whole.
        Assert.All(cutter.Requests.Skip(1), uri => Assert.Matches("after=c[0-9]+", uri.Query));
    }

    [Fact]
    public async Task A_connection_that_keeps_dropping_before_any_call_fails_after_the_retries()
    {
        var cutter = new CuttingHandler(cuts: 100, bytesBeforeCut: 10);
        using var client = Client(cutter, retries: 2);

        var failure = await Assert.ThrowsAsync<SalpreApiException>(async () => await client.Calls.ExportAsync(cancellationToken: Cancel).ToListAsync(Cancel));

        Assert.Equal(SalpreApiException.ConnectionFailedCode, failure.Code);
        Assert.Equal(3, cutter.Requests.Count);
        Assert.IsAssignableFrom<IOException>(failure.InnerException);
    }

    [Fact]
    public async Task A_server_without_the_export_is_walked_through_the_list_instead()
    {
        var withoutExport = new WithoutExportHandler();
        using var client = Client(withoutExport);
        var listed = await ListedAsync(new CallListOptions { AgentIds = [2] });

        var exported = await client.Calls.ExportAsync(new CallExportOptions { AgentIds = [2] }, Cancel).ToListAsync(Cancel);
        var resumed = await client.Calls.ExportAsync(new CallExportOptions { AgentIds = [2], After = listed[99].CallId }, Cancel).ToListAsync(Cancel);
        var details = await client.Calls.ExportAsync(new CallExportOptions { AgentIds = [2], IncludeDetails = true }, Cancel).Take(20).ToListAsync(Cancel);

        Assert.Equal(listed, exported);
        Assert.Equal(listed.Skip(100), resumed);
        Assert.Equal(listed.Take(20).Select(call => call.CallId), details.Select(call => call.CallId));
        Assert.All(details, call => Assert.IsType<CallDetails>(call));
        Assert.Contains(withoutExport.Paths, path => path.EndsWith("/call/list", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task ExportToAsync_copies_the_servers_lines_exactly_even_across_cuts(int cuts)
    {
        using var plain = new HttpClient();
        plain.DefaultRequestHeaders.Add("account-secret-key", gateway.Account.Key);
        var expected = await plain.GetByteArrayAsync(new Uri(gateway.BaseAddress, "api/gateway/v1/call/export?format=ndjson&include=details"), Cancel);
        var cutter = new CuttingHandler(cuts, 300_001);
        using var client = Client(cutter);
        using var destination = new MemoryStream();
        var reported = new List<long>();

        var count = await client.Calls.ExportToAsync(destination, new CallExportOptions { IncludeDetails = true }, new Progress(reported), Cancel);

        Assert.Equal(5_000, count);
        Assert.Equal(cuts + 1, cutter.Requests.Count);
        Assert.Equal(expected, destination.ToArray());
        Assert.Equal(5_000, reported[^1]);
        Assert.Equal(reported.Order(), reported);
    }

    [Fact]
    public async Task ExportToAsync_writes_the_list_as_the_exports_ndjson_on_a_server_without_it()
    {
        using var client = Client(new WithoutExportHandler());
        using var destination = new MemoryStream();

        var count = await client.Calls.ExportToAsync(destination, new CallExportOptions { AgentIds = [3] }, cancellationToken: Cancel);

        var lines = Encoding.UTF8.GetString(destination.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var listed = await ListedAsync(new CallListOptions { AgentIds = [3] });
        Assert.Equal(listed.Count, count);
        Assert.Equal(listed, lines.Select(line => JsonSerializer.Deserialize(line, SalpreJsonContext.Default.Call)!));
        Assert.Contains("\"to\":\"+90", lines[0], StringComparison.Ordinal);
    }

    /// <summary>Records every count reported, at once (unlike <see cref="Progress{T}"/>, which posts them).</summary>
    private sealed class Progress(List<long> reported) : IProgress<long>
    {
        public void Report(long value) => reported.Add(value);
    }

    /// <summary>Cuts the first <paramref name="cuts"/> export answers after some bytes, as a dropped connection does.</summary>
    private sealed class CuttingHandler(int cuts, int bytesBeforeCut) : DelegatingHandler(new SocketsHttpHandler())
    {
        public List<Uri> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (!request.RequestUri!.AbsolutePath.EndsWith("/call/export", StringComparison.Ordinal))
            {
                return response;
            }
            Requests.Add(request.RequestUri);
            if (Requests.Count <= cuts)
            {
                var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                var cut = new StreamContent(new CutStream(body, bytesBeforeCut));
                foreach (var header in response.Content.Headers)
                {
                    cut.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
                response.Content = cut;
            }
            return response;
        }
    }

    /// <summary>Gives the first bytes of a body, then fails as SocketsHttpHandler does when a connection ends early.</summary>
    private sealed class CutStream(Stream inner, int limit) : Stream
    {
        private int _left = limit;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_left == 0) throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
            var read = inner.Read(buffer[..Math.Min(buffer.Length, _left)]);
            _left -= read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left == 0) throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
            var read = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, _left)], cancellationToken);
            _left -= read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A gateway from before the export: its route answers 404 like any unknown path.</summary>
    private sealed class WithoutExportHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        public List<string> Paths { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Paths) Paths.Add(request.RequestUri!.AbsolutePath);
            return request.RequestUri!.AbsolutePath.EndsWith("/call/export", StringComparison.Ordinal)
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound)
                {
                    Content = new StringContent("""{"status":"error","message":"Not found","code":"not_found"}""", Encoding.UTF8, "application/json"),
                })
                : base.SendAsync(request, cancellationToken);
        }
    }
}
