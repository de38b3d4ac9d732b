namespace Salpre.Gateway.Hosting;

/// <summary>The gateway will not serve a schema older than its code; the message says what to run.</summary>
public sealed class SchemaBehindException(string message) : Exception(message);
