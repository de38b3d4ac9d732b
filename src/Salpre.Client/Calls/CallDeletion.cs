using System.Text.Json.Serialization;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>What <see cref="CallsClient.DeleteAsync"/> answers: the deleted call's id (<c>c874</c>, whichever form was asked).</summary>
public sealed record CallDeletion([property: JsonConverter(typeof(CallIdConverter))] string CallId, bool Deleted);
