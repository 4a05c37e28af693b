using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Kyperian.Bench -- --filter '*' [--job short]
BenchmarkSwitcher.FromAssembly(typeof(Kyperian.Bench.AlertPipelineBenchmarks).Assembly).Run(args);
