using System.Text;
using Salpre.Gateway.Webhooks;

namespace Salpre.Gateway.Tests.Webhooks;

/// <summary>The signing, against the Standard Webhooks specification's published test vector.</summary>
public sealed class WebhookSignatureTests
{
    [Fact]
    public void Signs_the_specifications_test_vector()
    {
        var key = WebhookSignature.KeyOf("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        var signature = WebhookSignature.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Encoding.UTF8.GetBytes("""{"test": 2432232314}"""));

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void Any_change_of_id_time_body_or_key_changes_the_signature()
    {
        var key = WebhookSignature.KeyOf("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        var body = Encoding.UTF8.GetBytes("""{"test": 2432232314}""");
        const string Vector = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

        Assert.NotEqual(Vector, WebhookSignature.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJel", 1614265330, body));
        Assert.NotEqual(Vector, WebhookSignature.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, body));
        Assert.NotEqual(Vector, WebhookSignature.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Encoding.UTF8.GetBytes("""{"test": 2432232315}""")));
        Assert.NotEqual(Vector, WebhookSignature.Sign([.. key.Reverse()], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body));
    }

    [Fact]
    public void New_secrets_are_32_random_bytes_after_whsec()
    {
        var secrets = Enumerable.Range(0, 20).Select(_ => WebhookSignature.NewSecret()).ToList();

        Assert.All(secrets, secret => Assert.StartsWith("whsec_", secret, StringComparison.Ordinal));
        Assert.All(secrets, secret => Assert.Equal(32, WebhookSignature.KeyOf(secret).Length));
        Assert.Equal(secrets.Count, secrets.Distinct().Count());
    }

    [Fact]
    public void The_retry_schedule_waits_as_the_issue_says_within_a_fifth_either_way()
    {
        var max = TimeSpan.FromHours(1);
        TimeSpan[] waits = [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10)];
        for (var attempt = 1; attempt <= 7; attempt++)
        {
            Assert.Equal(waits[attempt - 1] * 0.8, RetrySchedule.After(attempt, null, max, 0));
            Assert.Equal(waits[attempt - 1] * 1.2, RetrySchedule.After(attempt, null, max, 1));
        }
        Assert.Null(RetrySchedule.After(8, null, max, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(30), RetrySchedule.After(3, TimeSpan.FromSeconds(30), max, 0.5));
        Assert.Equal(max, RetrySchedule.After(1, TimeSpan.FromHours(7), max, 0.5));
    }
}
