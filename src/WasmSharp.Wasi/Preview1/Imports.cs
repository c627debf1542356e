using WasmSharp.Wasi.Abi;

namespace WasmSharp.Wasi;

// The import table: every wasi_snapshot_preview1 function with its core signature, decoding the arguments and
// turning every failure into an errno. Only proc_exit (WasiExitException) and traps unwind the guest.
public sealed partial class WasiPreview1
{
    private delegate Errno Call(HostSlots a);

    /// <summary>Defines every <c>wasi_snapshot_preview1</c> function in <paramref name="linker"/>.</summary>
    public Linker Define(Linker linker)
    {
        ArgumentNullException.ThrowIfNull(linker);
        Def(linker, "args_get", "ii", a => ArgsGet(U(a, 0), U(a, 1)));
        Def(linker, "args_sizes_get", "ii", a => ArgsSizesGet(U(a, 0), U(a, 1)));
        Def(linker, "environ_get", "ii", a => EnvironGet(U(a, 0), U(a, 1)));
        Def(linker, "environ_sizes_get", "ii", a => EnvironSizesGet(U(a, 0), U(a, 1)));
        Def(linker, "clock_res_get", "ii", a => ClockResGet(U(a, 0), U(a, 1)));
        Def(linker, "clock_time_get", "iIi", a => ClockTimeGet(U(a, 0), L(a, 1), U(a, 2)));
        Def(linker, "fd_advise", "iIIi", a => FdAdvise(U(a, 0), L(a, 1), L(a, 2), U(a, 3)));
        Def(linker, "fd_allocate", "iII", a => FdAllocate(U(a, 0), L(a, 1), L(a, 2)));
        Def(linker, "fd_close", "i", a => FdClose(U(a, 0)));
        Def(linker, "fd_datasync", "i", a => FdDatasync(U(a, 0)));
        Def(linker, "fd_fdstat_get", "ii", a => FdFdstatGet(U(a, 0), U(a, 1)));
        Def(linker, "fd_fdstat_set_flags", "ii", a => FdFdstatSetFlags(U(a, 0), U(a, 1)));
        Def(linker, "fd_fdstat_set_rights", "iII", a => FdFdstatSetRights(U(a, 0), L(a, 1), L(a, 2)));
        Def(linker, "fd_filestat_get", "ii", a => FdFilestatGet(U(a, 0), U(a, 1)));
        Def(linker, "fd_filestat_set_size", "iI", a => FdFilestatSetSize(U(a, 0), L(a, 1)));
        Def(linker, "fd_filestat_set_times", "iIIi", a => FdFilestatSetTimes(U(a, 0), L(a, 1), L(a, 2), U(a, 3)));
        Def(linker, "fd_pread", "iiiIi", a => FdPread(U(a, 0), U(a, 1), U(a, 2), L(a, 3), U(a, 4)));
        Def(linker, "fd_prestat_get", "ii", a => FdPrestatGet(U(a, 0), U(a, 1)));
        Def(linker, "fd_prestat_dir_name", "iii", a => FdPrestatDirName(U(a, 0), U(a, 1), U(a, 2)));
        Def(linker, "fd_pwrite", "iiiIi", a => FdPwrite(U(a, 0), U(a, 1), U(a, 2), L(a, 3), U(a, 4)));
        Def(linker, "fd_read", "iiii", a => FdRead(U(a, 0), U(a, 1), U(a, 2), U(a, 3)));
        Def(linker, "fd_readdir", "iiiIi", a => FdReaddir(U(a, 0), U(a, 1), U(a, 2), L(a, 3), U(a, 4)));
        Def(linker, "fd_renumber", "ii", a => FdRenumber(U(a, 0), U(a, 1)));
        Def(linker, "fd_seek", "iIii", a => FdSeek(U(a, 0), a.I64(1), U(a, 2), U(a, 3)));
        Def(linker, "fd_sync", "i", a => FdSync(U(a, 0)));
        Def(linker, "fd_tell", "ii", a => FdTell(U(a, 0), U(a, 1)));
        Def(linker, "fd_write", "iiii", a => FdWrite(U(a, 0), U(a, 1), U(a, 2), U(a, 3)));
        Def(linker, "path_create_directory", "iii", a => PathCreateDirectory(U(a, 0), U(a, 1), U(a, 2)));
        Def(linker, "path_filestat_get", "iiiii", a => PathFilestatGet(U(a, 0), U(a, 1), U(a, 2), U(a, 3), U(a, 4)));
        Def(linker, "path_filestat_set_times", "iiiiIIi",
            a => PathFilestatSetTimes(U(a, 0), U(a, 1), U(a, 2), U(a, 3), L(a, 4), L(a, 5), U(a, 6)));
        Def(linker, "path_link", "iiiiiii", a => PathLink(U(a, 0), U(a, 1), U(a, 2), U(a, 3), U(a, 4), U(a, 5), U(a, 6)));
        Def(linker, "path_open", "iiiiiIIii",
            a => PathOpen(U(a, 0), U(a, 1), U(a, 2), U(a, 3), U(a, 4), L(a, 5), L(a, 6), U(a, 7), U(a, 8)));
        Def(linker, "path_readlink", "iiiiii", a => PathReadlink(U(a, 0), U(a, 1), U(a, 2), U(a, 3), U(a, 4), U(a, 5)));
        Def(linker, "path_remove_directory", "iii", a => PathRemoveDirectory(U(a, 0), U(a, 1), U(a, 2)));
        Def(linker, "path_rename", "iiiiii", a => PathRename(U(a, 0), U(a, 1), U(a, 2), U(a, 3), U(a, 4), U(a, 5)));
        Def(linker, "path_symlink", "iiiii", a => PathSymlink(U(a, 0), U(a, 1), U(a, 2), U(a, 3), U(a, 4)));
        Def(linker, "path_unlink_file", "iii", a => PathUnlinkFile(U(a, 0), U(a, 1), U(a, 2)));
        Def(linker, "poll_oneoff", "iiii", a => PollOneoff(U(a, 0), U(a, 1), U(a, 2), U(a, 3)));
        Def(linker, "proc_raise", "i", a => ProcRaise(U(a, 0)));
        Def(linker, "sched_yield", "", a => SchedYield());
        Def(linker, "random_get", "ii", a => RandomGet(U(a, 0), U(a, 1)));
        Def(linker, "sock_accept", "iii", a => SockAccept(U(a, 0), U(a, 1), U(a, 2)));
        Def(linker, "sock_recv", "iiiiii", a => SockRecv(U(a, 0)));
        Def(linker, "sock_send", "iiiii", a => SockSend(U(a, 0)));
        Def(linker, "sock_shutdown", "ii", a => SockShutdown(U(a, 0), U(a, 1)));
        linker.DefineFunction(ModuleName, "proc_exit", new FunctionType([ValueType.I32], []), (HostSlotsCallback)(a =>
        {
            _trace?.WriteLine($"wasi: proc_exit({U(a, 0)})");
            throw new WasiExitException(a.I32(0));
        }));
        return linker;
    }

    private static uint U(HostSlots a, int i) => (uint)a.I32(i);
    private static ulong L(HostSlots a, int i) => (ulong)a.I64(i);

    /// <summary>Defines one function returning an errno; <paramref name="signature"/> spells its parameters
    /// ('i' i32, 'I' i64).</summary>
    private void Def(Linker linker, string name, string signature, Call call)
    {
        var parameters = signature.Select(c => c == 'I' ? ValueType.I64 : ValueType.I32).ToArray();
        var type = new FunctionType(parameters, [ValueType.I32]);
        linker.DefineFunction(ModuleName, name, type, (HostSlotsCallback)(args =>
        {
            Errno errno;
            try
            {
                errno = call(args);
            }
            catch (GuestFaultException)
            {
                errno = Errno.Fault;
            }
            catch (Exception ex) when (ex is not (WasmException or WasiExitException))
            {
                // A host failure the call did not anticipate: the guest gets EIO, never a .NET exception.
                _trace?.WriteLine($"wasi: {name}: {ex.GetType().Name}: {ex.Message}");
                errno = ex is OutOfMemoryException ? Errno.NoMem : Errno.Io;
            }
            if (_trace is not null) Trace(name, signature, args, errno);
            args.SetI32(0, (int)errno);
        }));
    }

    private void Trace(string name, string signature, HostSlots args, Errno errno)
    {
        var text = new System.Text.StringBuilder("wasi: ").Append(name).Append('(');
        for (int i = 0; i < signature.Length; i++)
        {
            if (i > 0) text.Append(", ");
            text.Append(signature[i] == 'I' ? args.I64(i) : (long)U(args, i));
        }
        _trace!.WriteLine(text.Append(") -> ").Append(errno == Errno.Success ? "0" : $"{(int)errno} ({errno})"));
    }
}
