// Logs, dates and numbers read the same on every machine, whatever its locale.
System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
// Bars and tables only when a person watches both outputs; anything redirected gets plain lines.
var interactive = !Console.IsOutputRedirected && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb");
return await Newsletter.Hosting.NewsletterCli.RunAsync(args, Console.Out, Console.Error, interactive: interactive);
