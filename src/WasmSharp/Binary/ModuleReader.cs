using System.Buffers.Binary;

namespace WasmSharp.Binary;

/// <summary>
/// Decodes a binary module section by section into a <see cref="ModuleInfo"/>. Purely structural: index validity,
/// types and function bodies' instructions are left to the validator.
/// </summary>
/// <remarks>
/// Like the reference decoder, one reader walks the whole module and a section's contents are read without a
/// fence at the section's end; the end is checked afterwards ("section size mismatch"). Errors then carry the
/// spec testsuite's wording: a count or length larger than the bytes left in the module is "length out of
/// bounds", running out of bytes is "unexpected end of section or function". All work is on spans; data and
/// custom sections are slices of <see cref="ModuleInfo.Bytes"/>.
/// </remarks>
public static partial class ModuleReader
{
    /// <summary>Implementation limit on the declared locals of one function (the limit of web embeddings).</summary>
    public const ulong MaxFunctionLocals = 50_000;

    private const uint Magic = 0x6d736100; // "\0asm"
    private const uint Version = 1;

    private static readonly string[] SectionNames =
        ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "data count", "tag"];

    /// <summary>Position of each section id in the required order: data count (12) comes between element and code,
    /// tag (13) between memory and global.</summary>
    private static ReadOnlySpan<byte> SectionRank => [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6];

    /// <summary>Decodes <paramref name="bytes"/>. Throws <see cref="MalformedModuleException"/> for malformed input,
    /// and <see cref="InvalidModuleException"/> ("constant expression required") when a constant expression holds
    /// an instruction that is not constant.</summary>
    public static ModuleInfo Read(ReadOnlyMemory<byte> bytes) => Read(bytes, null);

    /// <summary>Decodes <paramref name="bytes"/>, handing each function body to <paramref name="code"/> as soon as it
    /// is read, so that validation and translation stream with decoding (ARCHITECTURE §1).
    /// <paramref name="features"/>: what the module may use beyond Wasm 2.0 (what decoding depends on).</summary>
    internal static ModuleInfo Read(ReadOnlyMemory<byte> bytes, ICodeConsumer? code, WasmFeatures features = WasmFeatures.All)
    {
        var info = new ModuleInfo { Bytes = bytes };
        var r = new WasmReader(bytes.Span) { Disabled = WasmFeatures.All & ~features };
        ReadHeader(ref r);

        int lastRank = 0;
        while (!r.AtEnd)
        {
            long sectionStart = r.Offset;
            byte id = r.ReadByte();
            if (id >= SectionNames.Length || (id == 13 && (r.Disabled & WasmFeatures.ExceptionHandling) != 0))
            {
                r.Section = null;
                throw r.Error("malformed section id", sectionStart);
            }
            r.Section = SectionNames[id];
            if (id != 0)
            {
                // A repeated or misplaced section ends the module for the reference decoder; what follows is junk.
                int rank = SectionRank[id];
                if (rank <= lastRank) throw r.Error("unexpected content after last section", sectionStart);
                lastRank = rank;
            }

            int size = r.ReadLength();
            long end = r.Offset + size; // may lie past the module's end by the size field's own bytes
            switch (id)
            {
                case 0: ReadCustomSection(ref r, end, info); break;
                case 1: ReadTypeSection(ref r, info); break;
                case 2: ReadImportSection(ref r, info); break;
                case 3: ReadFunctionSection(ref r, info); break;
                case 4: ReadTableSection(ref r, info); break;
                case 5: ReadMemorySection(ref r, info); break;
                case 6: ReadGlobalSection(ref r, info); break;
                case 7: ReadExportSection(ref r, info); break;
                case 8: info.Start = r.ReadU32(); break;
                case 9: ReadElementSection(ref r, info); break;
                case 10: ReadCodeSection(ref r, end, info, code); break;
                case 11: ReadDataSection(ref r, info); break;
                case 12: info.DataCount = r.ReadU32(); break;
                case 13: ReadTagSection(ref r, info); break;
            }
            if (r.Offset != end) throw r.Error("section size mismatch", end - size);
        }
        r.Section = null;

        if (info.Functions.Count != info.Codes.Count)
            throw r.Error("function and code section have inconsistent lengths");
        if (info.DataCount is uint dataCount && dataCount != (uint)info.Data.Count)
            throw r.Error("data count and data section have inconsistent lengths");
        return info;
    }

    private static void ReadHeader(ref WasmReader r)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(r.ReadBytes(4)) != Magic) throw r.Error("magic header not detected", 0);
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(r.ReadBytes(4));
        if (version == Version) return;
        // The Component Model splits the version into a version and a layer, 1 for components.
        if (version >> 16 == 1 && (ushort)version != 0)
            throw r.Error($"unknown binary version: a WebAssembly component (layer 1, version 0x{(ushort)version:x}), not a core module (WasmSharp.Components reads components)", 4);
        throw r.Error("unknown binary version", 4);
    }

    private static void ReadCustomSection(ref WasmReader r, long end, ModuleInfo info)
    {
        long start = r.Offset;
        string name = r.ReadName();
        // The name may not run past the section, nor the section past the module.
        if (r.Offset > end || end > r.Length) throw r.Error(WasmReader.UnexpectedEnd, start);
        int dataStart = r.Position;
        int length = (int)(end - r.Offset);
        r.Skip(length);
        var data = info.Bytes.Slice(dataStart, length);
        info.CustomSections.Add(new CustomSection(name, data, dataStart));
        if (name == "name") NameSectionReader.Read(data.Span, dataStart, info);
    }
}
