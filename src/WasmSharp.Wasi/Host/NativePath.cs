using System.Text;

namespace WasmSharp.Wasi.Host;

/// <summary>A file name as the NUL-terminated UTF-8 bytes the host calls take.</summary>
internal static class NativePath
{
    public static byte[] Of(string name)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(name) + 1];
        Encoding.UTF8.GetBytes(name, bytes);
        return bytes;
    }

    public static byte[] Of(ReadOnlySpan<byte> utf8)
    {
        var bytes = new byte[utf8.Length + 1];
        utf8.CopyTo(bytes);
        return bytes;
    }
}
