using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
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
        // what the mailbox poller does with each message (a seam the poller's tests fill with a recording processor)
        services.AddSingleton<Func<MimeMessage, CancellationToken, Task<string>>>(sp => sp.GetRequiredService<InboundProcessor>().ProcessKindAsync);
        return services;
    }
}
