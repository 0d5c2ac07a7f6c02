using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newsletter.Subscribers;

namespace Newsletter.Delivery;

public static class DeliveryServices
{
    public static IServiceCollection AddDelivery(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SmtpOptions>>().Value.FromMailbox());
        services.AddSingleton(sp => new SendPacer(sp.GetRequiredService<IOptions<SmtpOptions>>().Value.MaxPerSecond));
        services.AddSingleton<SenderRegistry>();
        services.AddSingleton<ReturnPath>();
        services.AddSingleton<IValidateOptions<DkimOptions>, DkimOptionsValidator>();
        services.AddOptions<DkimOptions>().BindConfiguration(DkimOptions.Section).ValidateOnStart();
        services.AddSingleton<DkimSigning>();
        services.AddSingleton<IMailTransport>(sp => string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<SmtpOptions>>().Value.Host)
            ? ActivatorUtilities.CreateInstance<PickupFolderTransport>(sp)
            : ActivatorUtilities.CreateInstance<SmtpMailTransport>(sp));
        services.AddSingleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>();
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateOnStart();
        services.AddSingleton<Outbox>();
        services.AddSingleton<ISubscriberDataHolder>(sp => sp.GetRequiredService<Outbox>());
        services.AddSingleton<ConfirmationSender>();
        services.AddSingleton<DigestSender>();
        services.AddSingleton<DigestResender>();
        services.AddSingleton<ResendRecipients>();
        return services;
    }
}
