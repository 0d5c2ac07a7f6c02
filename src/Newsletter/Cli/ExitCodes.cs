namespace Newsletter.Cli;

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The work failed: a source unreachable, a database error.</summary>
    public const int Failed = 1;

    /// <summary>Invalid command line, configuration or input (a listing that does not parse or is too large); nothing was done.</summary>
    public const int Invalid = 2;

    public const int Cancelled = 130;
}

/// <summary>Bad input from the person running the command; nothing was done.</summary>
public sealed class UsageException(string message) : Exception(message);
