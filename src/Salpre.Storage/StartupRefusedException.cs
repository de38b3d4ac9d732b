namespace Salpre.Storage;

/// <summary>The gateway must not serve with this storage as it is; the message says why and what to do.</summary>
public sealed class StartupRefusedException(string message) : Exception(message);
