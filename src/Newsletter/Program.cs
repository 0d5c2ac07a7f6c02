return await Newsletter.Cli.NewsletterCli.RunAsync(args, Console.Out, Console.Error);
