namespace Newsletter.Common;

/// <summary>A setting or the configuration file is wrong; the message names it.</summary>
public sealed class ConfigurationError(string message, Exception? inner = null) : Exception(message, inner);
