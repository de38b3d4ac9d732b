using System.Text.Json;

namespace Salpre.Gateway.Demo;

/// <summary>What the demo's agents talk about: each agent has a job, and its calls read like it.</summary>
internal static class DemoScripts
{
    private static readonly string[] s_names = ["Ayşe Yılmaz", "Mehmet Kaya", "Zeynep Demir", "Can Öztürk", "Elif Şahin", "Burak Çelik", "Deniz Arslan", "Selin Koç"];

    public static string Customer(Random random) => s_names[random.Next(s_names.Length)];

    public static string Transcript(long agent, string customer, Storage.Calls.CallDirection direction)
    {
        var first = customer.Split(' ')[0];
        var opening = direction == Storage.Calls.CallDirection.Inbound
            ? $"Agent: Thank you for calling, this is the Salpre assistant. How can I help, {first}?"
            : $"Agent: Hello {first}, this is the Salpre assistant calling on behalf of your clinic.";
        var body = agent switch
        {
            3 => "Customer: Hi, yes.\nAgent: I'm confirming your appointment tomorrow at 14:30. Does that still suit you?\nCustomer: Yes, that's fine.\nAgent: Great, we'll see you then.",
            5 => "Customer: I wanted to ask where my order is.\nAgent: Your order left our warehouse this morning and should arrive within two days.\nCustomer: Perfect, thanks.",
            7 => "Customer: Sure, I have a minute.\nAgent: On a scale of one to five, how satisfied were you with our service?\nCustomer: Four, I'd say.\nAgent: Thank you, that helps us a lot.",
            _ => "Customer: I'd like to reschedule.\nAgent: Of course. Is Thursday at 10:00 better for you?\nCustomer: Thursday works.\nAgent: Done, you'll get a text to confirm.",
        };
        return $"{opening}\n{body}\nAgent: Have a nice day!";
    }

    public static string Variables(long agent, string customer, Random random)
    {
        var variables = new Dictionary<string, string>
        {
            ["customer_name"] = customer,
            ["campaign"] = agent switch { 3 => "appointment-reminder", 5 => "order-status", 7 => "satisfaction-survey", _ => "rescheduling" },
            ["crm_contact_id"] = $"CRM-{random.Next(10_000, 99_999)}",
        };
        return JsonSerializer.Serialize(variables, DemoJsonContext.Default.DictionaryStringString);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class DemoJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
