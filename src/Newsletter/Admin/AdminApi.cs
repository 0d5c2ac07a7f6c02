using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Newsletter.Admin;

/// <summary>The admin HTTP API under /admin/api: every endpoint behind an API key, every change in the audit log.</summary>
public static class AdminApi
{
    public const string Prefix = "/admin/api";

    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateOnStart();
        services.AddSingleton<ApiKeyFilter>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<IdempotencyKeys>();
        services.AddSingleton<AdminActions>();
        return services;
    }

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix)
            .AddEndpointFilter<ApiKeyFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .DisableAntiforgery(); // bearer keys, no cookies: nothing for a forged cross-site request to ride on
        api.MapAdminSubscriberCsv();
        api.MapAdminSubscribers();
        api.MapAdminDigests();
        api.MapAdminRuns();
        api.MapAdminBounces();
        api.MapOpenApi("/openapi/{documentName}.json"); // in the group, so behind the same key: it maps every admin endpoint
        return app;
    }
}
