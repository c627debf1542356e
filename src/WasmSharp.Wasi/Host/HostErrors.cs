using WasmSharp.Wasi.Abi;

namespace WasmSharp.Wasi.Host;

/// <summary>Translates Linux errno values (asm-generic numbering) to WASI <see cref="Errno"/>.</summary>
internal static class HostErrors
{
    private static readonly Errno[] Table = Build();

    /// <summary>The WASI errno for the calling thread's last P/Invoke error.</summary>
    public static Errno Last() => FromHost(LibC.Errno);

    public static Errno FromHost(int errno) =>
        errno > 0 && errno < Table.Length && Table[errno] != Errno.Success ? Table[errno] : Errno.Io;

    private static Errno[] Build()
    {
        var t = new Errno[134];
        t[1] = Errno.Perm; t[2] = Errno.NoEnt; t[3] = Errno.Srch; t[4] = Errno.Intr; t[5] = Errno.Io;
        t[6] = Errno.Nxio; t[7] = Errno.TooBig; t[8] = Errno.NoExec; t[9] = Errno.Badf; t[10] = Errno.Child;
        t[11] = Errno.Again; t[12] = Errno.NoMem; t[13] = Errno.Acces; t[14] = Errno.Fault; t[16] = Errno.Busy;
        t[17] = Errno.Exist; t[18] = Errno.Xdev; t[19] = Errno.NoDev; t[20] = Errno.NotDir; t[21] = Errno.IsDir;
        t[22] = Errno.Inval; t[23] = Errno.Nfile; t[24] = Errno.Mfile; t[25] = Errno.NoTty; t[26] = Errno.TxtBsy;
        t[27] = Errno.Fbig; t[28] = Errno.NoSpc; t[29] = Errno.Spipe; t[30] = Errno.Rofs; t[31] = Errno.Mlink;
        t[32] = Errno.Pipe; t[33] = Errno.Dom; t[34] = Errno.Range; t[35] = Errno.Deadlk; t[36] = Errno.NameTooLong;
        t[37] = Errno.NoLck; t[38] = Errno.NoSys; t[39] = Errno.NotEmpty; t[40] = Errno.Loop; t[42] = Errno.NoMsg;
        t[43] = Errno.Idrm; t[67] = Errno.NoLink; t[71] = Errno.Proto; t[72] = Errno.Multihop; t[74] = Errno.BadMsg;
        t[75] = Errno.Overflow; t[84] = Errno.Ilseq; t[88] = Errno.NotSock; t[89] = Errno.DestAddrReq;
        t[90] = Errno.MsgSize; t[91] = Errno.ProtoType; t[92] = Errno.NoProtoOpt; t[93] = Errno.ProtoNoSupport;
        t[94] = Errno.NotSup; t[95] = Errno.NotSup; t[97] = Errno.AfNoSupport; t[98] = Errno.AddrInUse;
        t[99] = Errno.AddrNotAvail; t[100] = Errno.NetDown; t[101] = Errno.NetUnreach; t[102] = Errno.NetReset;
        t[103] = Errno.ConnAborted; t[104] = Errno.ConnReset; t[105] = Errno.NoBufs; t[106] = Errno.IsConn;
        t[107] = Errno.NotConn; t[110] = Errno.TimedOut; t[111] = Errno.ConnRefused; t[113] = Errno.HostUnreach;
        t[114] = Errno.Already; t[115] = Errno.InProgress; t[116] = Errno.Stale; t[122] = Errno.Dquot;
        t[125] = Errno.Canceled; t[130] = Errno.OwnerDead; t[131] = Errno.NotRecoverable;
        return t;
    }
}
