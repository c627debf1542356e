namespace WasmSharp.Tests.Binary;

/// <summary>Hand-assembles binary modules for tests: LEB128 encoders, sections and a module header.</summary>
internal static class WasmBuilder
{
    public static readonly byte[] Header = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];

    public static byte[] Module(params byte[][] sections) => Cat([Header, .. sections]);

    /// <summary>A section: id, size, contents.</summary>
    public static byte[] Section(byte id, params byte[][] contents)
    {
        var body = Cat(contents);
        return Cat([id], U32((uint)body.Length), body);
    }

    /// <summary>A vector: count, then items.</summary>
    public static byte[] Vec(params byte[][] items) => Cat([U32((uint)items.Length), .. items]);

    public static byte[] Name(string s)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(s);
        return Cat(U32((uint)bytes.Length), bytes);
    }

    public static byte[] U32(uint v) => U64(v);

    public static byte[] U64(ulong v)
    {
        var list = new List<byte>();
        do
        {
            byte b = (byte)(v & 0x7F);
            v >>= 7;
            if (v != 0) b |= 0x80;
            list.Add(b);
        } while (v != 0);
        return list.ToArray();
    }

    public static byte[] S64(long v)
    {
        var list = new List<byte>();
        while (true)
        {
            byte b = (byte)(v & 0x7F);
            v >>= 7;
            bool done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
            if (!done) b |= 0x80;
            list.Add(b);
            if (done) return list.ToArray();
        }
    }

    public static byte[] Cat(params byte[][] parts)
    {
        var result = new byte[parts.Sum(p => p.Length)];
        int at = 0;
        foreach (var p in parts)
        {
            p.CopyTo(result, at);
            at += p.Length;
        }
        return result;
    }

    public static byte[] B(params byte[] bytes) => bytes;
}
