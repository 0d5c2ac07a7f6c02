using Newsletter.Bench;

// Small Stopwatch harness: each suite prints a markdown table to paste into notes and results.
var suite = args.Length > 0 ? args[0] : "help";
var rest = args.Length > 1 ? args[1..] : [];
return suite switch
{
    "ingest" => await IngestBench.RunAsync(rest),
    "render" => await RenderBench.RunAsync(rest),
    "match" => await MatchBench.RunAsync(rest),
    "send" => await SendBench.RunAsync(rest),
    "web" => await WebLoadBench.RunAsync(rest),
    "nodes" => await NodesBench.RunAsync(rest),
    "startup" => await StartupBench.RunAsync(rest),
    "e2e" => await EndToEndBench.RunAsync(rest),
    "plan" => await PlanBench.RunAsync(rest),
    "import" => await ImportBench.RunAsync(rest),
    "all" => await AllBench.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Newsletter.Bench -- <suite>\nsuites: all [results file], ingest [papers], match [profile counts], render [digests], send [messages],\n        " + EndToEndOptions.Usage + ",\n        import [rows], web [seconds] [clients], nodes [subscribers] [node counts, e.g. 1,3], plan [subscribers] [--scheduled], startup [runs] [published folders: composite, plain]");
    return 2;
}
