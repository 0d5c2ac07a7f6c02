using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newsletter.Subscribers;

namespace Newsletter.Inbound;

public static class InboundServices
{
    public static IServiceCollection AddInbound(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<InboundOptions>, InboundOptionsValidator>();
        services.AddOptions<InboundOptions>().BindConfiguration(InboundOptions.Section).ValidateOnStart();
        services.AddSingleton<InboundLog>();
        services.AddSingleton<ISubscriberDataHolder>(sp => sp.GetRequiredService<InboundLog>());
        services.AddSingleton<InboundProcessor>();
        return services;
    }
}
