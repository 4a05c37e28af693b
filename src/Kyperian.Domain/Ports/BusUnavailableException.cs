namespace Kyperian.Domain.Ports;

/// <summary>The bus did not take a message: full, down or refusing.</summary>
public sealed class BusUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
