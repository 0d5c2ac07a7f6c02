using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Newsletter.AdminConsole;

/// <summary>
/// The admin console under /admin: server-rendered pages over the admin API's services (AdminActions, AuditLog,
/// the stores), behind a session opened with an admin key. No SQL of its own.
/// </summary>
public static class AdminConsoleApp
{
    public static IServiceCollection AddAdminConsole(this IServiceCollection services)
    {
        services.AddSingleton<ConsoleSessions>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<ConsoleGate>();
        return services;
    }

    public static IEndpointRouteBuilder MapAdminConsole(this IEndpointRouteBuilder app)
    {
        app.MapConsoleSignIn();
        var console = app.MapGroup("/admin")
            .AddEndpointFilter<ConsoleGate>()
            .DisableAntiforgery() // ConsoleGate checks every form's token itself, after the session (so no session means the sign-in, not an error)
            .ExcludeFromDescription();
        console.MapConsoleDashboard();
        console.MapConsoleSubscribers();
        console.MapConsoleSubscriber();
        console.MapConsoleResend();
        console.MapConsoleRuns();
        console.MapConsoleCsv();
        return app;
    }
}
