using System.Net;
using Salpre.Client;

namespace Salpre.Cli.Tests;

/// <summary>Every kind of client failure maps to its documented exit code and one descriptive line.</summary>
public sealed class ExitCodeTests
{
    [Theory]
    [InlineData(null, ExitCodes.Unreachable)]
    [InlineData(HttpStatusCode.Unauthorized, ExitCodes.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden, ExitCodes.Unauthorized)]
    [InlineData(HttpStatusCode.NotFound, ExitCodes.NotFound)]
    [InlineData(HttpStatusCode.BadRequest, ExitCodes.Failed)]
    [InlineData(HttpStatusCode.Conflict, ExitCodes.Failed)]
    [InlineData(HttpStatusCode.TooManyRequests, ExitCodes.Failed)]
    [InlineData(HttpStatusCode.ServiceUnavailable, ExitCodes.Failed)]
    [InlineData(HttpStatusCode.OK, ExitCodes.Failed)]
    public void Failures_map_to_their_exit_codes(HttpStatusCode? status, int exitCode) =>
        Assert.Equal(exitCode, SalpreCli.ExitCodeOf(new SalpreApiException("x", status)));

    [Fact]
    public void A_failure_is_described_by_its_message_then_its_facts()
    {
        var withFacts = new SalpreApiException("Invalid per_page value", HttpStatusCode.BadRequest, "invalid_parameter", "per_page", "r-1");
        var bare = new SalpreApiException("Could not reach http://127.0.0.1:1/: Connection refused", code: null);

        Assert.Equal("Invalid per_page value (HTTP 400, invalid_parameter, param per_page, request r-1)", SalpreCli.Describe(withFacts));
        Assert.Equal("Could not reach http://127.0.0.1:1/: Connection refused", SalpreCli.Describe(bare));
    }
}
