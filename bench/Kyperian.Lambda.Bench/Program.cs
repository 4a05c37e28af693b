using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Kyperian.Lambda.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Kyperian.Lambda.Bench.LambdaTranslationBenchmarks).Assembly).Run(args);
