namespace WasmSharp.Wasi.Abi;

// The small enumerations and flag sets of WASI preview1's typenames.witx, with their ABI values.

/// <summary><c>filetype</c> (u8).</summary>
public enum FileType : byte
{
    Unknown = 0,
    BlockDevice = 1,
    CharacterDevice = 2,
    Directory = 3,
    RegularFile = 4,
    SocketDgram = 5,
    SocketStream = 6,
    SymbolicLink = 7,
}

/// <summary><c>oflags</c> (u16): how <c>path_open</c> creates or opens.</summary>
[Flags]
public enum OFlags : ushort
{
    None = 0,
    Creat = 1 << 0,
    Directory = 1 << 1,
    Excl = 1 << 2,
    Trunc = 1 << 3,
}

/// <summary><c>fdflags</c> (u16).</summary>
[Flags]
public enum FdFlags : ushort
{
    None = 0,
    Append = 1 << 0,
    Dsync = 1 << 1,
    NonBlock = 1 << 2,
    Rsync = 1 << 3,
    Sync = 1 << 4,
}

/// <summary><c>lookupflags</c> (u32).</summary>
[Flags]
public enum LookupFlags : uint
{
    None = 0,
    SymlinkFollow = 1 << 0,
}

/// <summary><c>fstflags</c> (u16): which timestamps <c>*_filestat_set_times</c> changes.</summary>
[Flags]
public enum FstFlags : ushort
{
    None = 0,
    Atim = 1 << 0,
    AtimNow = 1 << 1,
    Mtim = 1 << 2,
    MtimNow = 1 << 3,
}

/// <summary><c>whence</c> (u8).</summary>
public enum Whence : byte
{
    Set = 0,
    Cur = 1,
    End = 2,
}

/// <summary><c>clockid</c> (u32).</summary>
public enum ClockId : uint
{
    Realtime = 0,
    Monotonic = 1,
    ProcessCputime = 2,
    ThreadCputime = 3,
}

/// <summary><c>eventtype</c> (u8).</summary>
public enum EventType : byte
{
    Clock = 0,
    FdRead = 1,
    FdWrite = 2,
}

/// <summary><c>advice</c> (u8).</summary>
public enum Advice : byte
{
    Normal = 0,
    Sequential = 1,
    Random = 2,
    WillNeed = 3,
    DontNeed = 4,
    NoReuse = 5,
}
