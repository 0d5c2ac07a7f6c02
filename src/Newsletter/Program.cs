// Logs, dates and numbers read the same on every machine, whatever its locale.
System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
return await Newsletter.Cli.NewsletterCli.RunAsync(args, Console.Out, Console.Error);
