using WasmSharp.Isa;

// dotnet run --project tools/WasmSharp.Isa [-- --check]: writes the code derived from the instruction table, or
// with --check lists what is out of date (exit code 1) and writes nothing.
bool check = args.Contains("--check");
string root = FindRoot();
int stale = 0;
foreach (var (path, text) in Generator.Files(root))
{
    string full = Path.Combine(root, path);
    if (File.Exists(full) && File.ReadAllText(full) == text) continue;
    stale++;
    if (check) Console.Error.WriteLine($"out of date: {path}");
    else
    {
        File.WriteAllText(full, text);
        Console.WriteLine($"wrote {path}");
    }
}
return check && stale > 0 ? 1 : 0;

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "WasmSharp.slnx"))) return dir.FullName;
    throw new InvalidOperationException("repository root (with WasmSharp.slnx) not found");
}
