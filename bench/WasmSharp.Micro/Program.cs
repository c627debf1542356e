using BenchmarkDotNet.Running;

// BenchmarkDotNet's command line: bench/micro --filter '*Calls*', --list flat, --job short, ...
BenchmarkSwitcher.FromAssembly(typeof(WasmSharp.Micro.HostToWasmCalls).Assembly).Run(args);
