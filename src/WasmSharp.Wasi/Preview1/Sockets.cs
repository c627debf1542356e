using WasmSharp.Wasi.Abi;

namespace WasmSharp.Wasi;

// sock_*: a guest can hold no sockets (none are preopened and preview1 cannot create them), so each call checks
// its descriptor (EBADF if it is not open, ENOTSOCK if it is not a socket) and otherwise answers ENOTSUP.
public sealed partial class WasiPreview1
{
    private Errno SockAccept(uint fd, uint flags, uint resultPtr) => NotASocket(fd);
    private Errno SockRecv(uint fd) => NotASocket(fd);
    private Errno SockSend(uint fd) => NotASocket(fd);
    private Errno SockShutdown(uint fd, uint how) => NotASocket(fd);

    private Errno NotASocket(uint fd)
    {
        if (!_fds.TryGet(fd, out var d)) return Errno.Badf;
        return d.Type is FileType.SocketStream or FileType.SocketDgram ? Errno.NotSup : Errno.NotSock;
    }
}
