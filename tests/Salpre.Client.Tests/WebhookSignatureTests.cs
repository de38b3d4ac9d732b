using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace Salpre.Client.Tests;

/// <summary>
/// <see cref="WebhookSignature"/> against the Standard Webhooks specification's published test vector, and every way
/// a request can be wrong: a changed body, id or timestamp, another secret, an old or future timestamp, missing headers.
/// </summary>
public sealed class WebhookSignatureTests
{
    // The specification's known-answer vector (libraries/csharp/StandardWebhooks.Tests/WebhookTest.cs).
    private const string VectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string VectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long VectorTimestamp = 1614265330;
    private const string VectorBody = """{"test": 2432232314}""";
    private const string VectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly byte[] s_body = Encoding.UTF8.GetBytes(VectorBody);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp));

    private static WebhookHeaders Headers(string id = VectorId, string timestamp = "1614265330", string signature = VectorSignature) =>
        new(id, timestamp, signature);

    private WebhookVerification Check(WebhookHeaders headers, string body = VectorBody, string secret = VectorSecret, TimeSpan? tolerance = null) =>
        WebhookSignature.Check([secret], headers, Encoding.UTF8.GetBytes(body), tolerance, _clock);

    [Fact]
    public void Sign_makes_the_specifications_test_vector()
    {
        Assert.Equal(VectorSignature, WebhookSignature.Sign(VectorSecret, VectorId, DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp), s_body));
        // The prefix may be left off, as the specification's libraries allow.
        Assert.Equal(VectorSignature, WebhookSignature.Sign(VectorSecret["whsec_".Length..], VectorId, DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp), s_body));
    }

    [Fact]
    public void Verify_accepts_the_specifications_test_vector_as_bytes_and_as_text()
    {
        Assert.True(WebhookSignature.Verify([VectorSecret], Headers(), s_body, timeProvider: _clock));
        Assert.True(WebhookSignature.Verify([VectorSecret], Headers(), VectorBody, timeProvider: _clock));
        Assert.Equal(WebhookVerification.Valid, Check(Headers()));
    }

    [Theory]
    [InlineData("""{"test": 2432232315}""")]
    [InlineData("""{"test": 2432232314} """)]
    [InlineData("""{"test":2432232314}""")]
    [InlineData("")]
    public void A_changed_body_is_refused(string body)
    {
        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(), body));
        Assert.False(WebhookSignature.Verify([VectorSecret], Headers(), body, timeProvider: _clock));
    }

    [Fact]
    public void A_changed_id_is_refused()
    {
        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(id: "msg_p5jXN8AQM9LWM0D4loKWxJeK")));
        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(id: VectorId + ".")));
    }

    [Fact]
    public void A_changed_timestamp_within_the_tolerance_is_refused_by_its_signature()
    {
        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(timestamp: "1614265331")));
        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(timestamp: "1614265329")));
        // The signed text is the header as sent: a zero in front is another timestamp.
        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(timestamp: "01614265330")));
    }

    [Fact]
    public void Another_secret_is_refused()
    {
        var other = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(), secret: other));
        // The key's bytes matter, not only its text: one bit off.
        var key = Convert.FromBase64String(VectorSecret["whsec_".Length..]);
        key[0] ^= 1;
        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(), secret: "whsec_" + Convert.ToBase64String(key)));
    }

    [Fact]
    public void A_timestamp_older_or_newer_than_five_minutes_is_refused_and_five_minutes_is_not()
    {
        _clock.Advance(TimeSpan.FromSeconds(300));
        Assert.Equal(WebhookVerification.Valid, Check(Headers()));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(WebhookVerification.TimestampOutOfTolerance, Check(Headers()));
        Assert.False(WebhookSignature.Verify([VectorSecret], Headers(), s_body, timeProvider: _clock));

        // A timestamp from the future (a sender's clock ahead of ours) is held to the same window.
        var before = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp - 301));
        Assert.Equal(WebhookVerification.TimestampOutOfTolerance, WebhookSignature.Check([VectorSecret], Headers(), s_body, timeProvider: before));
        before.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(WebhookVerification.Valid, WebhookSignature.Check([VectorSecret], Headers(), s_body, timeProvider: before));
    }

    [Fact]
    public void The_tolerance_can_be_given()
    {
        _clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(WebhookVerification.TimestampOutOfTolerance, Check(Headers(), tolerance: TimeSpan.FromSeconds(29)));
        Assert.Equal(WebhookVerification.Valid, Check(Headers(), tolerance: TimeSpan.FromSeconds(30)));
        Assert.Equal(WebhookVerification.Valid, Check(Headers(), tolerance: TimeSpan.FromDays(36500)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Check(Headers(), tolerance: TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void A_timestamp_that_is_not_unix_seconds_is_refused()
    {
        foreach (var timestamp in new[] { "1614265330.0", "-1614265330", "+1614265330", " 1614265330", "2021-02-25T15:02:10Z", "99999999999999999999" })
        {
            Assert.Equal(WebhookVerification.InvalidTimestamp, Check(Headers(timestamp: timestamp)));
        }
        Assert.Equal(WebhookVerification.TimestampOutOfTolerance, Check(Headers(timestamp: long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void Missing_headers_are_refused()
    {
        Assert.Equal(WebhookVerification.MissingHeaders, Check(new WebhookHeaders(null, "1614265330", VectorSignature)));
        Assert.Equal(WebhookVerification.MissingHeaders, Check(new WebhookHeaders(VectorId, null, VectorSignature)));
        Assert.Equal(WebhookVerification.MissingHeaders, Check(new WebhookHeaders(VectorId, "1614265330", null)));
        Assert.Equal(WebhookVerification.MissingHeaders, Check(new WebhookHeaders(VectorId, "1614265330", "")));
    }

    [Fact]
    public void Any_of_several_signatures_and_any_of_several_secrets_may_match()
    {
        var other = WebhookSignature.NewSecret();
        var otherSignature = WebhookSignature.Sign(other, VectorId, DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp), s_body);

        // During the gateway's rotation: two signatures, the new one first.
        Assert.Equal(WebhookVerification.Valid, Check(Headers(signature: $"{otherSignature} {VectorSignature}")));
        Assert.Equal(WebhookVerification.Valid, Check(Headers(signature: $"{VectorSignature} {otherSignature}")));
        // During a receiver's own change of secret: two secrets.
        Assert.True(WebhookSignature.Verify([other, VectorSecret], Headers(), s_body, timeProvider: _clock));
        Assert.True(WebhookSignature.Verify([VectorSecret, other], Headers(signature: otherSignature), s_body, timeProvider: _clock));
        // Neither secret signed it.
        Assert.False(WebhookSignature.Verify([other], Headers(), s_body, timeProvider: _clock));
    }

    [Fact]
    public void Signatures_of_other_versions_or_malformed_ones_never_match()
    {
        var mac = VectorSignature["v1,".Length..];

        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(signature: "v1a," + mac)));
        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(signature: "v2," + mac)));
        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(signature: mac)));
        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(signature: "v1," + mac[..^4])));
        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(signature: "v1," + mac + "AAAA")));
        Assert.Equal(WebhookVerification.NoValidSignature, Check(Headers(signature: "v1,!!!")));
        Assert.Equal(WebhookVerification.Valid, Check(Headers(signature: $"v1a,{mac} v1,!!! {VectorSignature}")));
    }

    [Fact]
    public void A_secret_that_is_not_base64_is_a_mistake_of_configuration()
    {
        Assert.Throws<ArgumentException>(() => WebhookSignature.Verify(["whsec_not base64!"], Headers(), s_body));
        Assert.Throws<ArgumentException>(() => WebhookSignature.Verify(["whsec_"], Headers(), s_body));
        Assert.Throws<ArgumentException>(() => WebhookSignature.Verify([], Headers(), s_body));
        Assert.False(WebhookSignature.IsSecret("whsec_not base64!"));
        Assert.True(WebhookSignature.IsSecret(VectorSecret));
    }

    [Fact]
    public void New_secrets_are_32_random_bytes_that_sign_and_verify()
    {
        var secret = WebhookSignature.NewSecret();
        var now = _clock.GetUtcNow();

        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.NotEqual(secret, WebhookSignature.NewSecret());
        var signature = WebhookSignature.Sign(secret, "evt_1", now, s_body);
        Assert.True(WebhookSignature.Verify([secret], new WebhookHeaders("evt_1", now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), signature), s_body, timeProvider: _clock));
    }

    [Fact]
    public void Headers_are_found_in_any_case_in_each_kind_of_header_map()
    {
        var aspNet = new Dictionary<string, StringValues>
        {
            ["Webhook-Id"] = VectorId,
            ["WEBHOOK-TIMESTAMP"] = "1614265330",
            ["webhook-signature"] = VectorSignature,
            ["Content-Type"] = "application/json",
        };
        using var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation("webhook-id", VectorId);
        request.Headers.TryAddWithoutValidation("Webhook-Timestamp", "1614265330");
        request.Headers.TryAddWithoutValidation("Webhook-Signature", VectorSignature);
        var plain = new Dictionary<string, string> { ["webhook-id"] = VectorId, ["webhook-timestamp"] = "1614265330", ["WEBHOOK-SIGNATURE"] = VectorSignature };

        Assert.Equal(Headers(), WebhookHeaders.From(aspNet));
        Assert.Equal(Headers(), WebhookHeaders.From((HttpHeaders)request.Headers));
        Assert.Equal(Headers(), WebhookHeaders.From(plain));
        Assert.Equal(new WebhookHeaders(null, null, null), WebhookHeaders.From(new Dictionary<string, string>()));
    }

    [Fact]
    public void Signatures_in_several_headers_are_one_list_and_a_repeated_id_is_none()
    {
        var other = WebhookSignature.Sign(WebhookSignature.NewSecret(), VectorId, DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp), s_body);
        var headers = WebhookHeaders.From(new Dictionary<string, StringValues>
        {
            ["webhook-id"] = new([VectorId, VectorId]),
            ["webhook-timestamp"] = "1614265330",
            ["webhook-signature"] = new([other, VectorSignature]),
        });

        Assert.Equal($"{other} {VectorSignature}", headers.Signature);
        Assert.Null(headers.Id);
        Assert.Equal(WebhookVerification.Valid, Check(headers with { Id = VectorId }));
        Assert.Equal(WebhookVerification.MissingHeaders, Check(headers));
    }
}
