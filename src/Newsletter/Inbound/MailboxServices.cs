using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Newsletter.Inbound;

public static class MailboxServices
{
    /// <summary>
    /// The mailbox settings, checked at start-up. The poller itself is made per poll with the processing it is given
    /// (<see cref="MailboxPoller"/>), so nothing else is registered here.
    /// </summary>
    public static IServiceCollection AddMailbox(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<MailboxOptions>, MailboxOptionsValidator>();
        services.AddOptions<MailboxOptions>().BindConfiguration(MailboxOptions.Section).ValidateOnStart();
        return services;
    }
}
