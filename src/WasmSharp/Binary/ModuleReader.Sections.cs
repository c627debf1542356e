namespace WasmSharp.Binary;

// The known sections, one method each, in section order.
public static partial class ModuleReader
{
    private static void ReadTypeSection(ref WasmReader r, ModuleInfo info)
    {
        uint count = r.ReadCount();
        info.Types.EnsureCapacity((int)count);
        for (uint i = 0; i < count; i++)
        {
            long at = r.Offset;
            if (ReadTypeCode(ref r) != 0x60) throw r.Error("malformed function type", at);
            info.Types.Add(ReadFunctionType(ref r));
        }
    }

    /// <summary>A function type's parameters and results (after its 0x60).</summary>
    internal static FunctionType ReadFunctionType(ref WasmReader r)
    {
        var parameters = ReadResultType(ref r);
        var results = ReadResultType(ref r);
        return parameters.Length == 0 && results.Length == 0 ? FunctionType.Empty : new FunctionType(parameters, results);
    }

    private static ValueType[] ReadResultType(ref WasmReader r)
    {
        uint count = r.ReadCount();
        if (count == 0) return [];
        var types = new ValueType[count];
        for (int i = 0; i < types.Length; i++) types[i] = ReadValueType(ref r);
        return types;
    }

    private static void ReadImportSection(ref WasmReader r, ModuleInfo info)
    {
        uint count = r.ReadCount();
        info.Imports.EnsureCapacity((int)count);
        for (uint i = 0; i < count; i++)
        {
            var import = ReadImport(ref r);
            info.Imports.Add(import);
            switch (import.Kind)
            {
                case ExternalKind.Function:
                    info.FunctionTypeIndices.Add(import.TypeIndex);
                    info.ImportedFunctionCount++;
                    break;
                case ExternalKind.Table:
                    info.AllTables.Add(import.Table!);
                    info.ImportedTableCount++;
                    break;
                case ExternalKind.Memory:
                    info.AllMemories.Add(import.Memory!);
                    info.ImportedMemoryCount++;
                    break;
                case ExternalKind.Global:
                    info.AllGlobals.Add(import.Global!);
                    info.ImportedGlobalCount++;
                    break;
                case ExternalKind.Tag:
                    info.AllTags.Add(import.TypeIndex);
                    info.ImportedTagCount++;
                    break;
            }
        }
    }

    /// <summary>One import: module and item names, then the kind and its type (also a component's core module types
    /// declare imports this way).</summary>
    internal static Import ReadImport(ref WasmReader r)
    {
        string module = r.ReadName();
        string name = r.ReadName();
        return ReadExternDescriptor(ref r, module, name, "malformed import kind");
    }

    /// <summary>An external kind and its type, for an import named <paramref name="module"/> <paramref name="name"/>
    /// (or a component's core export declaration); <paramref name="badKind"/> is the error for an unknown kind.</summary>
    internal static Import ReadExternDescriptor(ref WasmReader r, string module, string name, string badKind)
    {
        long at = r.Offset;
        return r.ReadByte() switch
        {
            (byte)ExternalKind.Function => new Import(module, name, ExternalKind.Function) { TypeIndex = r.ReadU32() },
            (byte)ExternalKind.Table => new Import(module, name, ExternalKind.Table) { Table = ReadTableType(ref r) },
            (byte)ExternalKind.Memory => new Import(module, name, ExternalKind.Memory) { Memory = ReadMemoryType(ref r) },
            (byte)ExternalKind.Global => new Import(module, name, ExternalKind.Global) { Global = ReadGlobalType(ref r) },
            (byte)ExternalKind.Tag when (r.Disabled & WasmFeatures.ExceptionHandling) == 0 => new Import(module, name, ExternalKind.Tag) { TypeIndex = ReadTagType(ref r) },
            _ => throw r.Error(badKind, at),
        };
    }

    private static void ReadFunctionSection(ref WasmReader r, ModuleInfo info)
    {
        uint count = r.ReadCount();
        info.Functions.EnsureCapacity((int)count);
        info.FunctionTypeIndices.EnsureCapacity(info.FunctionTypeIndices.Count + (int)count);
        for (uint i = 0; i < count; i++)
        {
            uint typeIndex = r.ReadU32();
            info.Functions.Add(typeIndex);
            info.FunctionTypeIndices.Add(typeIndex);
        }
    }

    private delegate T ItemReader<T>(ref WasmReader r);

    /// <summary>A section of definitions (tables, memories, tags): each read by <paramref name="read"/> and added
    /// to the module's own and to its index space, after the imports.</summary>
    private static void ReadDefinitions<T>(ref WasmReader r, List<T> defined, List<T> indexSpace, ItemReader<T> read)
    {
        uint count = r.ReadCount();
        for (uint i = 0; i < count; i++)
        {
            var item = read(ref r);
            defined.Add(item);
            indexSpace.Add(item);
        }
    }

    private static void ReadTableSection(ref WasmReader r, ModuleInfo info) => ReadDefinitions(ref r, info.Tables, info.AllTables, ReadTableType);

    private static void ReadMemorySection(ref WasmReader r, ModuleInfo info) => ReadDefinitions(ref r, info.Memories, info.AllMemories, ReadMemoryType);

    private static void ReadTagSection(ref WasmReader r, ModuleInfo info) => ReadDefinitions(ref r, info.Tags, info.AllTags, ReadTagType);

    /// <summary>A tag type: its attribute (0, an exception; nothing else is defined) and a function type index.</summary>
    private static uint ReadTagType(ref WasmReader r)
    {
        long at = r.Offset;
        if (r.ReadByte() != 0) throw r.Error("malformed tag attribute", at);
        return r.ReadU32();
    }

    private static void ReadGlobalSection(ref WasmReader r, ModuleInfo info)
    {
        uint count = r.ReadCount();
        info.Globals.EnsureCapacity((int)count);
        for (uint i = 0; i < count; i++)
        {
            var type = ReadGlobalType(ref r);
            var init = ConstExprReader.Read(ref r);
            info.Globals.Add(new GlobalDefinition(type, init));
            info.AllGlobals.Add(type);
        }
    }

    private static void ReadExportSection(ref WasmReader r, ModuleInfo info)
    {
        uint count = r.ReadCount();
        info.Exports.EnsureCapacity((int)count);
        for (uint i = 0; i < count; i++)
        {
            string name = r.ReadName();
            long at = r.Offset;
            byte kind = r.ReadByte();
            if (kind > (byte)ExternalKind.Tag || (kind == (byte)ExternalKind.Tag && (r.Disabled & WasmFeatures.ExceptionHandling) != 0))
                throw r.Error("malformed export kind", at);
            info.Exports.Add(new Export(name, (ExternalKind)kind, r.ReadU32()));
        }
    }

    /// <summary>
    /// Element segments. Bit 0 of the flags: passive or declarative (else active); bit 1: an explicit table
    /// index when active, declarative when not; bit 2: items are constant expressions (else function indices).
    /// </summary>
    private static void ReadElementSection(ref WasmReader r, ModuleInfo info)
    {
        uint count = r.ReadCount();
        info.Elements.EnsureCapacity((int)count);
        for (uint i = 0; i < count; i++)
        {
            long position = r.Offset;
            uint flags = r.ReadU32();
            if (flags > 7) throw r.Error("malformed elements segment kind", position);
            var mode = (flags & 1) == 0 ? SegmentMode.Active : (flags & 2) == 0 ? SegmentMode.Passive : SegmentMode.Declarative;
            bool expressions = (flags & 4) != 0;

            uint table = 0;
            ConstExpr? offset = null;
            if (mode == SegmentMode.Active)
            {
                if ((flags & 2) != 0) table = r.ReadU32();
                offset = ConstExprReader.Read(ref r);
            }

            var type = ValueType.FuncRef;
            if ((flags & 3) != 0)
            {
                if (expressions)
                {
                    type = ReadRefType(ref r);
                }
                else
                {
                    long at = r.Offset;
                    if (r.ReadByte() != 0x00) throw r.Error("malformed element kind", at);
                }
            }

            uint itemCount = r.ReadCount();
            var items = itemCount == 0 ? [] : new ConstExpr[itemCount];
            for (int j = 0; j < items.Length; j++)
            {
                if (expressions)
                {
                    items[j] = ConstExprReader.Read(ref r);
                }
                else
                {
                    long at = r.Offset;
                    items[j] = new ConstExpr([new ConstInstr(ConstOp.RefFunc, r.ReadU32())], at);
                }
            }
            info.Elements.Add(new ElementSegment(mode, table, offset, type, items, position));
        }
    }

    /// <summary>
    /// Function bodies: the locals are decoded, the instructions are only located (the validator decodes them).
    /// </summary>
    private static void ReadCodeSection(ref WasmReader r, long sectionEnd, ModuleInfo info, ICodeConsumer? consumer)
    {
        uint count = r.ReadCount();
        consumer?.BeginCode(info);
        info.Codes.EnsureCapacity((int)count);
        for (uint i = 0; i < count; i++)
        {
            int size = r.ReadLength();
            long bodyStart = r.Offset;
            long bodyEnd = bodyStart + size;

            uint groupCount = r.ReadCount();
            var groups = groupCount == 0 ? [] : new (uint Count, ValueType Type)[groupCount];
            ulong total = 0;
            for (int g = 0; g < groups.Length; g++)
            {
                uint n = r.ReadU32();
                groups[g] = (n, ReadValueType(ref r));
                total += n;
            }
            // The spec's bound is 2^32-1; a runtime may set a lower one, and must, as every local gets a slot.
            if (total > MaxFunctionLocals) throw r.Error("too many locals", bodyStart);

            long codeStart = r.Offset;
            if (bodyEnd > r.Length) throw r.Error(WasmReader.UnexpectedEnd, r.Length);
            if (codeStart > bodyEnd) throw r.Error("section size mismatch", bodyStart);
            r.Position = (int)bodyEnd;
            info.Codes.Add(new FunctionBody(groups, total, (int)codeStart, (int)(bodyEnd - codeStart))
            {
                MissingEndReason = bodyEnd == r.Length ? WasmReader.UnexpectedEnd
                    : bodyEnd == sectionEnd ? "section size mismatch"
                    : "END opcode expected",
            });
            if (consumer is not null)
            {
                if (i >= (uint)info.Functions.Count) throw r.Error("function and code section have inconsistent lengths", bodyStart);
                consumer.Body(info, (int)i);
            }
        }
    }

    private static void ReadDataSection(ref WasmReader r, ModuleInfo info)
    {
        uint count = r.ReadCount();
        info.Data.EnsureCapacity((int)count);
        for (uint i = 0; i < count; i++)
        {
            long position = r.Offset;
            uint flags = r.ReadU32();
            var mode = SegmentMode.Active;
            uint memory = 0;
            ConstExpr? offset = null;
            switch (flags)
            {
                case 0:
                    offset = ConstExprReader.Read(ref r);
                    break;
                case 1:
                    mode = SegmentMode.Passive;
                    break;
                case 2:
                    memory = r.ReadU32();
                    offset = ConstExprReader.Read(ref r);
                    break;
                default:
                    throw r.Error("malformed data segment kind", position);
            }
            int length = r.ReadLength();
            int start = r.Position;
            r.Skip(length);
            info.Data.Add(new DataSegment(mode, memory, offset, info.Bytes.Slice(start, length), position));
        }
    }

    // ---- types ----

    /// <summary>A type code: a one-byte signed LEB128 (s7). A longer encoding is "integer representation too long".</summary>
    internal static byte ReadTypeCode(ref WasmReader r)
    {
        byte b = r.ReadByte();
        if ((b & 0x80) != 0) throw r.Error("integer representation too long");
        return b;
    }

    internal static ValueType ReadValueType(ref WasmReader r)
    {
        long at = r.Offset;
        byte b = ReadTypeCode(ref r);
        return b switch
        {
            0x7F or 0x7E or 0x7D or 0x7C or 0x7B or 0x70 or 0x6F => (ValueType)b,
            0x69 when (r.Disabled & WasmFeatures.ExceptionHandling) == 0 => ValueType.ExnRef,
            _ => throw r.Error("malformed value type", at),
        };
    }

    internal static ValueType ReadRefType(ref WasmReader r)
    {
        long at = r.Offset;
        byte b = ReadTypeCode(ref r);
        return b switch
        {
            0x70 or 0x6F => (ValueType)b,
            0x69 when (r.Disabled & WasmFeatures.ExceptionHandling) == 0 => ValueType.ExnRef,
            _ => throw r.Error("malformed reference type", at),
        };
    }

    private static TableType ReadTableType(ref WasmReader r)
    {
        var elementType = ReadRefType(ref r);
        return new TableType(elementType, ReadLimits(ref r));
    }

    /// <summary>Limits: a flag (a one-bit LEB128: 0 = no maximum, 1 = maximum), the minimum, the maximum.</summary>
    private static Limits ReadLimits(ref WasmReader r) => ReadLimits(ref r, maxFlags: 1, out _);

    /// <summary>A memory type: limits whose flag may also have bit 1, shared, with shared memories.</summary>
    private static MemoryType ReadMemoryType(ref WasmReader r)
    {
        var limits = ReadLimits(ref r, (r.Disabled & WasmFeatures.SharedMemory) == 0 ? 3 : 1, out byte flags);
        return new MemoryType(limits, Shared: (flags & 2) != 0);
    }

    private static Limits ReadLimits(ref WasmReader r, int maxFlags, out byte flags)
    {
        long at = r.Offset;
        flags = r.ReadByte();
        if ((flags & 0x7F) > maxFlags) throw r.Error("integer too large", at);
        if ((flags & 0x80) != 0) throw r.Error("integer representation too long");
        uint min = r.ReadU32();
        return (flags & 1) != 0 ? new Limits(min, r.ReadU32()) : new Limits(min, null);
    }

    private static GlobalType ReadGlobalType(ref WasmReader r)
    {
        var type = ReadValueType(ref r);
        long at = r.Offset;
        return r.ReadByte() switch
        {
            0 => new GlobalType(type, false),
            1 => new GlobalType(type, true),
            _ => throw r.Error("malformed mutability", at),
        };
    }
}
