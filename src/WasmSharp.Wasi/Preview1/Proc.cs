using System.Security.Cryptography;
using WasmSharp.Wasi.Abi;

namespace WasmSharp.Wasi;

// proc_raise, sched_yield and random_get (proc_exit is defined with the import table).
public sealed partial class WasiPreview1
{
    /// <summary>Signals are not emulated.</summary>
    private static Errno ProcRaise(uint signal) => Errno.NoSys;

    private static Errno SchedYield()
    {
        Thread.Yield();
        return Errno.Success;
    }

    private Errno RandomGet(uint buffer, uint length)
    {
        RandomNumberGenerator.Fill(Mem.Slice(buffer, length));
        return Errno.Success;
    }
}
