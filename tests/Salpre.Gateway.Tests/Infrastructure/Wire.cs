using System.Text.Json;
using System.Text.Json.Nodes;

namespace Salpre.Gateway.Tests.Infrastructure;

/// <summary>Reads answers as the wire has them: raw text, parsed JSON, status code.</summary>
public sealed record WireResponse(int Status, string Body, HttpResponseMessage Message)
{
    public JsonNode Json => JsonNode.Parse(Body)!;

    public JsonArray Data => Json["data"]!.AsArray();

    public JsonNode Meta => Json["meta"]!;

    public IReadOnlyList<string> CallIds => [.. Data.Select(call => call!["call_id"]!.GetValue<string>())];

    public string? Header(string name) =>
        Message.Headers.TryGetValues(name, out var values) ? values.Single()
        : Message.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.Single() : null;

    /// <summary>The property names of an object, in the order the bytes have them.</summary>
    public static IReadOnlyList<string> FieldOrder(JsonNode node) => [.. node.AsObject().Select(pair => pair.Key)];

    /// <summary>The body with the request id removed, to compare two error answers byte for byte.</summary>
    public string BodyWithoutRequestId()
    {
        var json = Json.AsObject();
        json.Remove("request_id");
        return json.ToJsonString();
    }
}

public static class WireExtensions
{
    public static async Task<WireResponse> GetWireAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new WireResponse((int)response.StatusCode, body, response);
    }

    public static async Task<WireResponse> SendWireAsync(this HttpClient client, HttpRequestMessage request)
    {
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new WireResponse((int)response.StatusCode, body, response);
    }

    public static async Task<WireResponse> PostJsonAsync(this HttpClient client, string path, string json, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await client.SendWireAsync(request);
    }

    /// <summary>A make-call as the Make Call page shows it: a multipart form.</summary>
    public static async Task<WireResponse> MakeCallAsync(this HttpClient client, string serial, string to = "+905321234567", string agentId = "5", string? idempotencyKey = null)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("salprebox:" + serial), "from" },
            { new StringContent(to), "to" },
            { new StringContent(agentId), "agent_id" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/gateway/v1/call/make-call") { Content = form };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await client.SendWireAsync(request);
    }

    public static bool IsEnvelope(string body)
    {
        try
        {
            var json = JsonNode.Parse(body)?.AsObject();
            if (json is null || json.Count == 0) return false;
            var first = json.First();
            return first.Key == "status" && first.Value?.GetValue<string>() switch
            {
                "success" => json.ContainsKey("data"),
                "error" => json.Skip(1).FirstOrDefault().Key == "message" && json["message"]!.GetValue<string>().Length > 0,
                _ => false,
            };
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
