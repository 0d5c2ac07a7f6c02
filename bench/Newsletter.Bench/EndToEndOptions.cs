namespace Newsletter.Bench;

/// <summary><c>e2e &lt;subscribers&gt; [--sink smtp-sink|aiosmtpd] [--database sqlite|postgres] [--nodes N] [--generate-only]</c>.</summary>
public sealed record EndToEndOptions(int Subscribers, string Sink, string Database, int Nodes, bool GenerateOnly)
{
    public const string Usage = "e2e [subscribers] [--sink smtp-sink|aiosmtpd] [--database sqlite|postgres] [--nodes N] [--generate-only]";

    public bool Postgres => Database == "postgres";

    /// <exception cref="ArgumentException">With a message naming the bad argument.</exception>
    public static EndToEndOptions Parse(string[] args)
    {
        var options = new EndToEndOptions(10_000, DiscardingSink.DefaultKind, "sqlite", 1, false);
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--sink" => options with { Sink = OneOf(args, ++i, "--sink", "smtp-sink", "aiosmtpd") },
                "--database" => options with { Database = OneOf(args, ++i, "--database", "sqlite", "postgres") },
                "--nodes" => options with { Nodes = Count(args, ++i, "--nodes") },
                "--generate-only" => options with { GenerateOnly = true },
                _ when i == 0 => options with { Subscribers = Count(args, i, "subscribers") },
                _ => throw new ArgumentException($"unknown argument '{args[i]}'; usage: {Usage}"),
            };
        }
        if (options.Nodes > 1 && !options.Postgres)
        {
            throw new ArgumentException($"--nodes {options.Nodes} needs --database postgres: a SQLite file is served by one node");
        }
        return options;
    }

    private static string OneOf(string[] args, int i, string name, params string[] allowed) =>
        i < args.Length && allowed.Contains(args[i]) ? args[i] : throw new ArgumentException($"{name} takes one of: {string.Join(", ", allowed)}");

    private static int Count(string[] args, int i, string name) =>
        i < args.Length && int.TryParse(args[i], out var count) && count > 0 ? count : throw new ArgumentException($"{name} takes a whole number above 0");
}
