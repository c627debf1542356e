using WasmSharp.Wasi.Abi;
using WasmSharp.Wasi.Descriptors;
using WasmSharp.Wasi.Host;

namespace WasmSharp.Wasi;

/// <summary>
/// A WASI preview1 host (<c>wasi_snapshot_preview1</c>) for one program: its arguments, environment, stdio and
/// preopened directories, and the descriptor table. Typical use:
/// <code>
/// using var wasi = new WasiPreview1(options);
/// wasi.Define(linker);
/// var instance = linker.Instantiate(store, module);
/// int exitCode = wasi.Run(instance);
/// </code>
/// File system access goes through the host's descriptor-relative calls on Linux; the guest reaches only the
/// preopened directories (see <see cref="WasiOptions.Preopens"/>).
/// </summary>
public sealed partial class WasiPreview1 : IDisposable
{
    /// <summary>The import module name of WASI preview1.</summary>
    public const string ModuleName = "wasi_snapshot_preview1";

    private readonly byte[][] _args;
    private readonly byte[][] _environ;
    private readonly DescriptorTable _fds = new();
    private readonly TextWriter? _trace;
    private Memory? _memory;

    /// <summary>Opens stdio and the preopened directories. Throws <see cref="DirectoryNotFoundException"/> or
    /// <see cref="IOException"/> when a preopened directory cannot be opened.</summary>
    public WasiPreview1(WasiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _args = options.Arguments.Select(Utf8z).ToArray();
        _environ = options.Environment.Select(kv => Utf8z($"{kv.Key}={kv.Value}")).ToArray();
        _trace = options.Trace;
        try
        {
            AddStdio(0, options.Stdin, readable: true);
            AddStdio(1, options.Stdout, readable: false);
            AddStdio(2, options.Stderr, readable: false);
            foreach (var preopen in options.Preopens) AddPreopen(preopen);
        }
        catch
        {
            _fds.Dispose();
            throw;
        }
    }

    private static byte[] Utf8z(string s) => NativePath.Of(s);

    private void AddStdio(int fd, Stream? stream, bool readable)
    {
        Descriptor d;
        if (stream is not null)
            d = new StreamDescriptor(stream, readable, !readable) { Base = RightSets.Stream, Inheriting = Rights.None };
        else if (!LibC.IsSupported)
            d = new StreamDescriptor(fd switch
            {
                0 => Console.OpenStandardInput(),
                1 => Console.OpenStandardOutput(),
                _ => Console.OpenStandardError(),
            }, readable, !readable) { Base = RightSets.Stream, Inheriting = Rights.None };
        else
        {
            var type = FileStat.Get(fd, null, out var stat) == Errno.Success ? stat.Type : FileType.Unknown;
            int flags = LibC.fcntl(fd, LibC.F_GETFL, 0);
            var fdflags = FdFlags.None;
            if (flags >= 0 && (flags & LibC.O_APPEND) != 0) fdflags |= FdFlags.Append;
            if (flags >= 0 && (flags & LibC.O_NONBLOCK) != 0) fdflags |= FdFlags.NonBlock;
            d = new HostDescriptor(fd, type, fdflags, ownsFd: false) { Base = RightSets.For(type), Inheriting = Rights.None };
        }
        _fds.Add(d, out _);
    }

    private unsafe void AddPreopen(WasiPreopen preopen)
    {
        if (!LibC.IsSupported)
            throw new PlatformNotSupportedException("WASI directories are supported on Linux only");
        var path = NativePath.Of(preopen.HostPath);
        int fd;
        fixed (byte* p = path)
        {
            do fd = LibC.openat(-100 /* AT_FDCWD */, p, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
            while (fd < 0 && LibC.Errno == LibC.EINTR);
        }
        if (fd < 0)
        {
            var err = HostErrors.Last();
            string why = err switch
            {
                Errno.NoEnt => "no such directory",
                Errno.NotDir => "not a directory",
                Errno.Acces => "permission denied",
                _ => $"errno {err}",
            };
            throw err == Errno.NoEnt
                ? new DirectoryNotFoundException($"cannot open directory '{preopen.HostPath}': {why}")
                : new IOException($"cannot open directory '{preopen.HostPath}': {why}");
        }
        _fds.Add(new DirectoryDescriptor(fd, FdFlags.None, preopen.GuestPath)
        {
            Base = RightSets.Directory,
            Inheriting = RightSets.All,
        }, out _);
    }

    /// <summary>Makes <paramref name="instance"/>'s exported "memory" the memory WASI calls read and write.</summary>
    public void Bind(Instance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        _memory = instance.GetMemory("memory")
            ?? throw new WasmException("the module exports no memory named \"memory\", which WASI needs");
    }

    /// <summary>Runs a WASI command: binds <paramref name="instance"/>'s memory, calls <paramref name="entry"/>
    /// (default <c>_start</c>) and returns the exit code: the one given to proc_exit, or 0 if the entry returns.
    /// Traps propagate as <see cref="TrapException"/>.</summary>
    public int Run(Instance instance, string entry = "_start")
    {
        Bind(instance);
        var start = instance.GetFunction(entry) ?? throw new WasmException($"the module exports no function named \"{entry}\"");
        try
        {
            start.Invoke();
            return 0;
        }
        catch (WasiExitException exit)
        {
            return exit.ExitCode;
        }
    }

    /// <summary>The guest memory for one call.</summary>
    private GuestMemory Mem => new(_memory ?? throw new WasmException("WASI was called before its memory was bound (call Bind or Run)"));

    /// <summary>Closes every descriptor the guest still holds (the process's own stdio stays open).</summary>
    public void Dispose() => _fds.Dispose();

    /// <summary>The descriptor <paramref name="fd"/> if it is open and holds <paramref name="rights"/>.</summary>
    private Errno Get(uint fd, Rights rights, out Descriptor d)
    {
        if (!_fds.TryGet(fd, out d)) return Errno.Badf;
        return (d.Base & rights) == rights ? Errno.Success : Errno.NotCapable;
    }

    /// <summary>The directory <paramref name="fd"/> if it is open, is a directory and holds <paramref name="rights"/>.</summary>
    private Errno GetDirectory(uint fd, Rights rights, out DirectoryDescriptor dir)
    {
        dir = null!;
        if (!_fds.TryGet(fd, out var d)) return Errno.Badf;
        if (d is not DirectoryDescriptor dd) return Errno.NotDir;
        dir = dd;
        return (d.Base & rights) == rights ? Errno.Success : Errno.NotCapable;
    }

}
