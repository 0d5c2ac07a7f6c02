using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Newsletter.Cli;

namespace Newsletter.Hosting;

/// <summary>
/// The console logger with every message passed through <see cref="TerminalText.Clean"/>: log lines quote paper
/// titles, listing content and server replies, which must not reach the terminal as escape sequences. Wraps the
/// provider rather than a formatter, so the built-in simple and json formatters stay as they are.
/// </summary>
[ProviderAlias("Console")] // so Logging:Console:* settings still apply to it
public sealed class TerminalSafeConsoleLogger(ConsoleLoggerProvider console) : ILoggerProvider, ISupportExternalScope
{
    /// <summary>Replaces the console provider that AddSimpleConsole/AddJsonConsole registered.</summary>
    public static void Install(IServiceCollection services)
    {
        services.Remove(services.Single(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)));
        services.AddSingleton<ILoggerProvider>(sp => new TerminalSafeConsoleLogger(ActivatorUtilities.CreateInstance<ConsoleLoggerProvider>(sp)));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(console.CreateLogger(categoryName));

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => console.SetScopeProvider(scopeProvider);

    public void Dispose() => console.Dispose();

    private sealed class Logger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, (s, e) => TerminalText.Clean(formatter(s, e)));
    }
}
