using System.Text;
using WasmSharp.Wasi;

namespace WasmSharp.Tests.Wasi;

/// <summary>The WASI host used in-process through its API: stdio as streams, exit codes, configuration errors.</summary>
public class WasiHostTests
{
    private static (int ExitCode, string Stdout, string Stderr) RunInProcess(string program, string[] args,
        byte[]? stdin = null, IList<WasiPreopen>? preopens = null)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        using var wasi = new WasiPreview1(new WasiOptions
        {
            Arguments = [program, .. args],
            Environment = [new("GREETING", "from the host")],
            Preopens = preopens ?? [],
            Stdin = new MemoryStream(stdin ?? []),
            Stdout = stdout,
            Stderr = stderr,
        });
        using var store = new Store();
        var instance = wasi.Define(new Linker()).Instantiate(store, Module.FromFile(TestPrograms.Wasm(program)));
        int code = wasi.Run(instance);
        return (code, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }

    [Fact]
    public void ArgumentsAndOutputThroughStreams()
    {
        var (code, stdout, _) = RunInProcess("args", ["x", "y z"]);
        Assert.Equal(0, code);
        Assert.Equal("argc=3\nargv[1]=[x]\nargv[2]=[y z]\n", stdout);
    }

    [Fact]
    public void EnvironmentIsOnlyWhatTheHostGives()
    {
        var (_, stdout, _) = RunInProcess("env", []);
        Assert.Contains("GREETING=from the host\n", stdout);
        Assert.Contains("1 variables\n", stdout);
    }

    [Fact]
    public void ProcExitCodeIsReturned()
    {
        var (code, stdout, stderr) = RunInProcess("exitcode", ["exit", "42"]);
        Assert.Equal(42, code);
        Assert.Equal("to stdout before exiting\n", stdout);
        Assert.Equal("to stderr before exiting\n", stderr);
    }

    [Fact]
    public void StandardInputFromAStream()
    {
        var (code, stdout, _) = RunInProcess("stdin", [], Encoding.UTF8.GetBytes("shout this\nand not this\n"));
        Assert.Equal(0, code);
        Assert.StartsWith("first line: SHOUT THIS\n24 bytes, 2 lines", stdout);
    }

    [Fact]
    public void TrapSurfacesWithBacktrace()
    {
        var trap = Assert.Throws<TrapException>(() => RunInProcess("exitcode", ["abort", "0"]));
        Assert.Equal("unreachable", trap.Message);
        Assert.Equal("abort", trap.WasmBacktrace[0]);
        Assert.Contains("main", trap.WasmBacktrace);
    }

    [Fact]
    public void FilesInAPreopenedDirectory()
    {
        using var tmp = new TestPrograms.TempDirectory();
        var (code, stdout, stderr) = RunInProcess("dirlist", [], preopens: [new WasiPreopen(tmp.Path, ".")]);
        Assert.True(code == 0, stderr);
        Assert.Contains("tree: 8 entries (8 after rewind)", stdout);
        Assert.True(File.Exists(Path.Combine(tmp.Path, "tree", "sub", "c.txt")));
    }

    [Fact]
    public void MissingPreopenIsAnError()
    {
        var ex = Assert.Throws<DirectoryNotFoundException>(() => new WasiPreview1(new WasiOptions
        {
            Preopens = [new WasiPreopen("/no/such/directory/anywhere", "/")],
        }));
        Assert.Contains("/no/such/directory/anywhere", ex.Message);
    }

    [Fact]
    public void DefinesEveryPreview1Function()
    {
        string[] names =
        [
            "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get", "clock_time_get",
            "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get", "fd_fdstat_set_flags",
            "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
            "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite", "fd_read", "fd_readdir", "fd_renumber", "fd_seek",
            "fd_sync", "fd_tell", "fd_write", "path_create_directory", "path_filestat_get", "path_filestat_set_times",
            "path_link", "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
            "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "sched_yield", "random_get", "sock_accept",
            "sock_recv", "sock_send", "sock_shutdown",
        ];
        using var wasi = new WasiPreview1(new WasiOptions());
        using var store = new Store();
        var linker = wasi.Define(new Linker());
        foreach (var name in names) Assert.IsAssignableFrom<Function>(linker.Get(store, WasiPreview1.ModuleName, name));
    }
}
