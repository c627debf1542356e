using WasmSharp.Binary;

namespace WasmSharp.Tests.Text;

/// <summary>
/// Why a binary module differs from the same module re-encoded by the text parser (its canonical form): the
/// encoding choices the binary format leaves open, each found in the original bytes. A difference none of them
/// explains is reported as "unexplained ...".
/// </summary>
internal static class NonCanonical
{
    internal readonly record struct Section(byte Id, int Start, int Length, bool MinimalSize);

    public static SortedSet<string> Reasons(byte[] original, byte[] canonical)
    {
        var reasons = new SortedSet<string>(StringComparer.Ordinal);
        var info = ModuleReader.Read(original);
        var a = Sections(original);
        var b = Sections(canonical);
        if (a.Any(s => !s.MinimalSize)) reasons.Add("non-minimal LEB128 (section size)");
        // Custom sections come back as they were (printed as @custom annotations), except the name section, whose
        // names the text carries as ids.
        var customs = a.Where(s => s.Id == 0).Select(s => original.AsSpan(s.Start, s.Length).ToArray()).ToList();
        if (customs.Any(c => CustomName(c) == "name")) reasons.Add("name section (its names printed as ids)");
        var expected = customs.Where(c => CustomName(c) != "name").ToList();
        var actual = b.Where(t => t.Id == 0).Select(t => canonical.AsSpan(t.Start, t.Length).ToArray()).ToList();
        if (expected.Count != actual.Count) reasons.Add("unexplained: custom sections left out or added");
        else
            foreach (var (x, y) in expected.Zip(actual))
                if (!x.AsSpan().SequenceEqual(y))
                    reasons.Add(SameButLebLengths(x, y) ? "non-minimal LEB128 (in a section)" : "unexplained: custom sections differ");
        if (a.Any(s => IsEmpty(original, s))) reasons.Add("empty sections");
        var kept = a.Where(s => s.Id != 0 && !IsEmpty(original, s)).ToList();

        foreach (var s in kept)
        {
            var other = b.FirstOrDefault(t => t.Id == s.Id, new Section(255, 0, 0, true));
            if (other.Id == 255)
            {
                reasons.Add(s.Id == 12 ? "data count section where no instruction needs it" : $"unexplained: section {s.Id} left out");
                continue;
            }
            var x = original.AsSpan(s.Start, s.Length);
            var y = canonical.AsSpan(other.Start, other.Length);
            if (x.SequenceEqual(y)) continue;
            string? reason = s.Id switch
            {
                9 when ElementFlagsNotSmallest(original, info) => "element segments not in their smallest form",
                10 when LocalsNotInRuns(info) => "locals not declared in runs of one type",
                11 when DataFlagsNotSmallest(original, info) => "data segment of memory 0 with flags 2",
                _ => null,
            };
            // Function bodies are compared one by one: their sizes change when integers in them get shorter.
            bool shorter = s.Id == 10 ? SameBodiesButLebLengths(x, y) : SameButLebLengths(x, y);
            reasons.Add(reason ?? (shorter ? "non-minimal LEB128 (in a section)" : $"unexplained: section {s.Id} differs"));
        }
        foreach (var t in b)
            if (t.Id != 0 && !kept.Any(s => s.Id == t.Id)) reasons.Add($"unexplained: section {t.Id} added");
        return reasons;
    }

    /// <summary>The name at the start of a custom section's contents.</summary>
    private static string CustomName(byte[] contents)
    {
        int i = 0;
        int length = (int)Leb(contents, ref i);
        return System.Text.Encoding.UTF8.GetString(contents, i, Math.Min(length, contents.Length - i));
    }

    /// <summary>The sections of <paramref name="module"/> in file order: id and contents' place.</summary>
    internal static List<Section> Sections(byte[] module)
    {
        var list = new List<Section>();
        int i = 8;
        while (i < module.Length)
        {
            byte id = module[i++];
            int sizeStart = i;
            ulong size = Leb(module, ref i);
            list.Add(new Section(id, i, (int)size, i - sizeStart == LebLength(size)));
            i += (int)size;
        }
        return list;
    }

    /// <summary>A section that holds a vector with no elements (the parser writes no section then).</summary>
    private static bool IsEmpty(byte[] module, Section s) =>
        s.Id is >= 1 and <= 11 and not 8 && s.Length >= 1 && module[s.Start] == 0 && s.Length == 1;

    private static ulong Leb(ReadOnlySpan<byte> bytes, ref int i)
    {
        ulong value = 0;
        int shift = 0;
        while (true)
        {
            byte b = bytes[i++];
            if (shift < 64) value |= (ulong)(b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0) return value;
        }
    }

    private static int LebLength(ulong value)
    {
        int n = 1;
        while ((value >>= 7) != 0) n++;
        return n;
    }

    /// <summary>The flags of each element segment against the ones the text parser picks: function indices when
    /// every item is a function of a funcref segment, an explicit table only when it is not 0 or the type not funcref.</summary>
    private static bool ElementFlagsNotSmallest(byte[] module, ModuleInfo info)
    {
        foreach (var e in info.Elements)
        {
            int at = (int)e.Position;
            ulong flags = Leb(module, ref at);
            bool indices = e.ElementType == ValueType.FuncRef && e.Items.All(i => i.Instructions is [{ Op: ConstOp.RefFunc }]);
            ulong expected = e.Mode switch
            {
                SegmentMode.Passive => 1UL,
                SegmentMode.Declarative => 3UL,
                _ => e.TableIndex != 0 || e.ElementType != ValueType.FuncRef ? 2UL : 0UL,
            };
            if (!indices) expected |= 4;
            if (flags != expected) return true;
        }
        return false;
    }

    private static bool DataFlagsNotSmallest(byte[] module, ModuleInfo info) =>
        info.Data.Any(d =>
        {
            int at = (int)d.Position;
            return Leb(module, ref at) == 2 && d.MemoryIndex == 0;
        });

    private static bool SameBodiesButLebLengths(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        int i = 0, j = 0;
        if (!TryLeb(x, ref i, out ulong count) || !TryLeb(y, ref j, out ulong count2) || count != count2) return false;
        for (ulong n = 0; n < count; n++)
        {
            if (!TryLeb(x, ref i, out ulong sx) || !TryLeb(y, ref j, out ulong sy)) return false;
            if (i + (int)sx > x.Length || j + (int)sy > y.Length) return false;
            if (!SameButLebLengths(x.Slice(i, (int)sx), y.Slice(j, (int)sy))) return false;
            i += (int)sx;
            j += (int)sy;
        }
        return i == x.Length && j == y.Length;
    }

    private static bool LocalsNotInRuns(ModuleInfo info) =>
        info.Codes.Any(c => c.LocalGroups.Where((g, i) => g.Count == 0 || i > 0 && c.LocalGroups[i - 1].Type == g.Type).Any());

    /// <summary>Whether <paramref name="x"/> becomes <paramref name="y"/> by writing some of its LEB128 integers in
    /// fewer bytes. At a difference, the integer starts after the last byte without a continuation bit.</summary>
    private static bool SameButLebLengths(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (x[i] == y[j])
            {
                i++;
                j++;
                continue;
            }
            int back = 0;
            while (back < 9 && i - back > 0 && (x[i - back - 1] & 0x80) != 0) back++;
            int si = i - back, sj = j - back, ai = si, aj = sj;
            if (!TryLeb(x, ref si, out ulong vx) || !TryLeb(y, ref sj, out ulong vy)) return false;
            int nx = si - ai, ny = sj - aj;
            if (nx <= ny || !(vx == vy || SignExtend(vx, nx) == SignExtend(vy, ny))) return false;
            i = si;
            j = sj;
        }
        return i == x.Length && j == y.Length;
    }

    private static bool TryLeb(ReadOnlySpan<byte> bytes, ref int i, out ulong value)
    {
        value = 0;
        for (int shift = 0; i < bytes.Length && shift < 70; shift += 7)
        {
            byte b = bytes[i++];
            if (shift < 64) value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return true;
        }
        return false;
    }

    private static long SignExtend(ulong value, int bytes)
    {
        int bits = Math.Min(64, 7 * bytes);
        return bits == 64 ? (long)value : (long)(value << (64 - bits)) >> (64 - bits);
    }
}
