using System.Buffers.Binary;
using WasmSharp.Binary;

namespace WasmSharp.Components.Binary;

/// <summary>
/// Decodes a binary component (Binary.md) into a <see cref="ComponentInfo"/>: structure only, as
/// <see cref="ModuleReader"/> does for modules; indices and types are checked by validation. Each section is read
/// within its declared size, and a section's bytes left over are an error. Core modules inside are kept as bytes and
/// decoded when the component is validated. Errors are <see cref="MalformedModuleException"/>s at the absolute offset,
/// worded as the reference tools word them ("invalid leading byte (0x2) for instance").
/// </summary>
public static class ComponentReader
{
    private const uint Magic = 0x6d736100; // "\0asm"
    /// <summary>The pre-standard version, 0xd, and the layer, 1 for components (Binary.md, "preamble").</summary>
    private const ushort Version = 0x0d, Layer = 1;

    /// <summary>Components nest (section 4); deeper than this is refused rather than risking the stack.</summary>
    public const int MaxNesting = 100;

    /// <summary>The wording of running out of bytes.</summary>
    public const string UnexpectedEnd = "unexpected end-of-file";

    private static readonly string[] SectionNames =
        ["custom", "core module", "core instance", "core type", "component", "instance", "alias", "type", "canon",
         "start", "import", "export", "value"];

    /// <summary>Whether <paramref name="bytes"/> start as a component does (magic, then layer 1), rather than a module.</summary>
    public static bool IsComponent(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 8 && BinaryPrimitives.ReadUInt32LittleEndian(bytes) == Magic && BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]) == Layer;

    /// <summary>Decodes <paramref name="bytes"/>; throws <see cref="MalformedModuleException"/> for malformed input.</summary>
    public static ComponentInfo Read(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return ReadComponent(bytes, 0, 0);
        }
        catch (MalformedModuleException e) when (e.Reason == WasmReader.UnexpectedEnd)
        {
            // The core reader's wording names a function; a component has none.
            throw new MalformedModuleException(UnexpectedEnd, e.Offset, e.Section);
        }
    }

    private static ComponentInfo ReadComponent(ReadOnlyMemory<byte> bytes, long baseOffset, int depth)
    {
        var info = new ComponentInfo();
        var r = new WasmReader(bytes.Span, baseOffset);
        ReadPreamble(ref r);
        while (!r.AtEnd)
        {
            long sectionStart = r.Offset;
            byte id = r.ReadByte();
            if (id >= SectionNames.Length) throw r.Error("malformed section id", sectionStart);
            r.Section = SectionNames[id];
            int size = (int)r.ReadU32();
            if (size > r.Remaining) throw r.Error(UnexpectedEnd, r.Offset);
            var contents = bytes.Slice(r.Position, size);
            var s = new WasmReader(contents.Span, r.Offset, r.Section);
            r.Skip(size);
            if (id == 12) throw s.Error("value definitions are not supported", sectionStart);
            switch (id)
            {
                case 0: ReadCustom(ref s, contents, info); break;
                case 1:
                    CheckCoreModule(contents, s.Offset);
                    info.Definitions.Add(new CoreModuleDefinition(s.Offset, contents));
                    s.Skip(size);
                    break;
                case 4:
                    if (depth + 1 > MaxNesting) throw s.Error("components nested too deeply");
                    info.Definitions.Add(new NestedComponent(s.Offset, ReadComponent(contents, s.Offset, depth + 1)));
                    s.Skip(size);
                    break;
                case 9: info.Definitions.Add(ReadStart(ref s)); break;
                default: ReadVector(ref s, id, info.Definitions); break;
            }
            if (!s.AtEnd) throw s.Error($"unexpected content in the {s.Section} section");
        }
        return info;
    }

    /// <summary>A core module section holds a whole binary module: it must decode (validation comes later).</summary>
    private static void CheckCoreModule(ReadOnlyMemory<byte> module, long offset)
    {
        try
        {
            ModuleReader.Read(module);
        }
        catch (MalformedModuleException e)
        {
            throw new MalformedModuleException(e.Reason, offset + e.Offset, $"core module ({e.Section ?? "header"})");
        }
        catch (InvalidModuleException)
        {
            // A constant expression that is not constant: decoded, invalid; validation reports it.
        }
    }

    private static void ReadPreamble(ref WasmReader r)
    {
        if (r.Remaining < 4 || BinaryPrimitives.ReadUInt32LittleEndian(r.ReadBytes(4)) != Magic) throw r.Error("magic header not detected", 0);
        if (r.Remaining < 4) throw r.Error(UnexpectedEnd, r.Offset);
        var header = r.ReadBytes(4);
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header), layer = BinaryPrimitives.ReadUInt16LittleEndian(header[2..]);
        if (layer == 0) throw r.Error("expected a version header for a component", r.Offset - 4);
        if (layer != Layer || version != Version) throw r.Error("unknown binary version", r.Offset - 4);
    }

    private static void ReadCustom(ref WasmReader r, ReadOnlyMemory<byte> contents, ComponentInfo info)
    {
        string name = r.ReadName();
        int start = r.Position;
        r.Skip(r.Remaining);
        info.CustomSections.Add(new CustomSection(name, contents[start..], r.BaseOffset + start));
    }

    /// <summary>The vector of a section that holds one: core instances, core types, instances, aliases, types,
    /// canons, imports or exports.</summary>
    private static void ReadVector(ref WasmReader r, byte id, List<Definition> into)
    {
        uint count = r.ReadCount();
        for (uint i = 0; i < count; i++)
        {
            long at = r.Offset;
            into.Add(id switch
            {
                2 => ReadCoreInstance(ref r, at),
                3 => new CoreTypeDefinition(at, ReadCoreType(ref r)),
                5 => ReadInstance(ref r, at),
                6 => ReadAlias(ref r, at),
                7 => new TypeDefinition(at, ReadDefinedType(ref r)),
                8 => new CanonDefinition(at, ReadCanon(ref r)),
                10 => new ImportDefinition(at, ReadExternName(ref r), ReadExternType(ref r)),
                _ => ReadExport(ref r, at),
            });
        }
    }

    // ---- instances ----

    private static Definition ReadCoreInstance(ref WasmReader r, long at)
    {
        switch (r.ReadByte())
        {
            case 0x00:
            {
                uint module = r.ReadU32();
                var args = new CoreInstantiateArgument[r.ReadCount()];
                for (int i = 0; i < args.Length; i++)
                {
                    string name = r.ReadName();
                    Expect(ref r, 0x12, "instantiation arg kind");
                    args[i] = new CoreInstantiateArgument(name, r.ReadU32());
                }
                return new CoreInstantiate(at, module, args);
            }
            case 0x01:
                return new CoreInstanceFromExports(at, ReadNamedItems(ref r, core: true));
            default:
                throw Leading(ref r, "core instance");
        }
    }

    private static Definition ReadInstance(ref WasmReader r, long at)
    {
        switch (r.ReadByte())
        {
            case 0x00:
            {
                uint component = r.ReadU32();
                return new ComponentInstantiate(at, component, ReadNamedItems(ref r, core: false));
            }
            case 0x01:
            {
                var exports = new NamedItem[r.ReadCount()];
                for (int i = 0; i < exports.Length; i++)
                {
                    var name = ReadExternName(ref r);
                    exports[i] = new NamedItem(name.Name, ReadSortIndex(ref r)) { ExternName = name };
                }
                return new InstanceFromExports(at, exports);
            }
            default:
                throw Leading(ref r, "instance");
        }
    }

    /// <summary>A vector of a name and a (core) sortidx: core inline exports, or component instantiation arguments.</summary>
    private static NamedItem[] ReadNamedItems(ref WasmReader r, bool core)
    {
        var items = new NamedItem[r.ReadCount()];
        for (int i = 0; i < items.Length; i++)
        {
            string name = r.ReadName();
            items[i] = new NamedItem(name, core ? new SortIndex(ReadCoreSort(ref r), r.ReadU32()) : ReadSortIndex(ref r));
        }
        return items;
    }

    // ---- sorts ----

    private static Sort ReadCoreSort(ref WasmReader r) =>
        SortExtensions.FromCode(r.ReadByte(), core: true) ?? throw Leading(ref r, "core sort");

    private static Sort ReadSort(ref WasmReader r)
    {
        byte b = r.ReadByte();
        return b == 0x00 ? ReadCoreSort(ref r) : SortExtensions.FromCode(b, core: false) ?? throw Leading(ref r, "component external kind");
    }

    private static SortIndex ReadSortIndex(ref WasmReader r)
    {
        var sort = ReadSort(ref r);
        return new SortIndex(sort, r.ReadU32());
    }

    // ---- aliases ----

    private static Alias ReadAlias(ref WasmReader r, long at)
    {
        var sort = ReadSort(ref r);
        switch (r.ReadByte())
        {
            case 0x00:
            {
                uint instance = r.ReadU32();
                return new Alias(at, sort, new InstanceExportAlias(instance, r.ReadName()));
            }
            case 0x01:
            {
                uint instance = r.ReadU32();
                return new Alias(at, sort, new CoreInstanceExportAlias(instance, r.ReadName()));
            }
            case 0x02:
            {
                if (sort is not (Sort.CoreType or Sort.CoreModule or Sort.Type or Sort.Component))
                    throw r.Error($"invalid leading byte for component outer alias kind: {sort.ToText()} cannot be aliased from an outer scope", at);
                uint count = r.ReadU32();
                return new Alias(at, sort, new OuterAlias(count, r.ReadU32()));
            }
            default:
                throw Leading(ref r, "alias");
        }
    }

    // ---- types ----

    private static CoreDefinedType ReadCoreType(ref WasmReader r)
    {
        switch (r.ReadByte())
        {
            case 0x60:
                return new CoreFuncTypeDef(ModuleReader.ReadFunctionType(ref r));
            case 0x50:
            {
                var decls = new CoreModuleDeclaration[r.ReadCount()];
                for (int i = 0; i < decls.Length; i++) decls[i] = ReadCoreModuleDeclaration(ref r);
                return new CoreModuleTypeDef(decls);
            }
            case 0x4E:
            {
                // A recursion group: each subtype is a type of its own in the core type space.
                uint count = r.ReadCount();
                for (uint i = 0; i < count; i++) SkipGcSubtype(ref r, r.ReadByte());
                return new CoreGcTypeDef((int)count);
            }
            case 0x4F:
                SkipGcSubtype(ref r, 0x4F);
                return new CoreGcTypeDef(1);
            case 0x00:
                // A non-final subtype takes a 0x00 prefix here: a bare 0x50 is a module type (Binary.md).
                if (r.ReadByte() != 0x50) throw Leading(ref r, "core type");
                SkipGcSubtype(ref r, 0x50);
                return new CoreGcTypeDef(1);
            default:
                throw Leading(ref r, "core type");
        }
    }

    /// <summary>Reads past a GC subtype (Wasm 3.0: <c>sub</c>, <c>sub final</c> or a bare composite type) whose
    /// first byte <paramref name="b"/> was read. WasmSharp's core has no GC types yet, so a component can declare
    /// them but not use them.</summary>
    private static void SkipGcSubtype(ref WasmReader r, byte b)
    {
        if (b is 0x50 or 0x4F)
        {
            uint supers = r.ReadCount();
            for (uint i = 0; i < supers; i++) r.ReadU32();
            b = r.ReadByte();
        }
        switch (b)
        {
            case 0x60:
                for (int side = 0; side < 2; side++)
                {
                    uint n = r.ReadCount();
                    for (uint i = 0; i < n; i++) SkipGcValueType(ref r, storage: false);
                }
                break;
            case 0x5F:
            {
                uint n = r.ReadCount();
                for (uint i = 0; i < n; i++) SkipGcField(ref r);
                break;
            }
            case 0x5E: SkipGcField(ref r); break;
            default: throw Leading(ref r, "composite type");
        }
    }

    private static void SkipGcField(ref WasmReader r)
    {
        SkipGcValueType(ref r, storage: true);
        if (r.ReadByte() > 1) throw Leading(ref r, "mutability");
    }

    /// <summary>A GC value type: a number, vector or reference type (abbreviated, or <c>ref null? ht</c>), and in a
    /// field also i8 or i16.</summary>
    private static void SkipGcValueType(ref WasmReader r, bool storage)
    {
        byte b = r.ReadByte();
        switch (b)
        {
            case >= 0x7B and <= 0x7F: return;
            case 0x78 or 0x77 when storage: return;
            case >= 0x69 and <= 0x74: return; // the abstract reference types, exnref to nullexnref
            case 0x63 or 0x64: r.ReadS33(); return;
            default: throw r.Error($"invalid leading byte (0x{b:x}) for value type", r.Offset - 1);
        }
    }

    private static CoreModuleDeclaration ReadCoreModuleDeclaration(ref WasmReader r)
    {
        switch (r.ReadByte())
        {
            case 0x00:
                return new CoreImportDeclaration(ModuleReader.ReadImport(ref r));
            case 0x01:
                return new CoreTypeInModule(ReadCoreType(ref r));
            case 0x02:
                Expect(ref r, 0x10, "outer alias kind");
                Expect(ref r, 0x01, "outer alias target");
                uint count = r.ReadU32();
                return new CoreOuterAlias(count, r.ReadU32());
            case 0x03:
            {
                string name = r.ReadName();
                return new CoreExportDeclaration(name, ModuleReader.ReadExternDescriptor(ref r, "", name, "malformed export kind"));
            }
            default:
                throw Leading(ref r, "type declaration");
        }
    }

    private static DefinedType ReadDefinedType(ref WasmReader r)
    {
        byte b = r.ReadByte();
        switch (b)
        {
            case 0x40 or 0x43:
            {
                var parameters = ReadLabeledTypes(ref r);
                return new FuncTypeDef(parameters, ReadResultList(ref r), Async: b == 0x43);
            }
            case 0x41: return new ComponentTypeDef(ReadDeclarations(ref r, component: true));
            case 0x42: return new InstanceTypeDef(ReadDeclarations(ref r, component: false));
            case 0x3F:
            {
                var rep = ModuleReader.ReadValueType(ref r);
                uint? dtor = ReadOptional(ref r) ? r.ReadU32() : null;
                return new ResourceTypeDef(rep, dtor);
            }
            default:
                r.Position--;
                return ReadDefinedValueType(ref r);
        }
    }

    private static DefinedValueType ReadDefinedValueType(ref WasmReader r)
    {
        long at = r.Offset;
        byte b = r.ReadByte();
        if (PrimitiveType.IsCode(b)) return new PrimitiveDef((Primitive)b);
        switch (b)
        {
            case 0x72:
            {
                return new RecordDef(ReadLabeledTypes(ref r));
            }
            case 0x71:
            {
                var cases = new CaseRef[r.ReadCount()];
                for (int i = 0; i < cases.Length; i++)
                {
                    string label = ReadLabel(ref r);
                    ValTypeRef? type = ReadOptional(ref r) ? ReadValType(ref r) : null;
                    Expect(ref r, 0x00, "zero byte required");
                    cases[i] = new CaseRef(label, type);
                }
                return new VariantDef(cases);
            }
            case 0x70: return new ListDef(ReadValType(ref r), null);
            case 0x67:
            {
                var element = ReadValType(ref r);
                return new ListDef(element, r.ReadU32());
            }
            case 0x6F:
            {
                var types = new ValTypeRef[r.ReadCount()];
                for (int i = 0; i < types.Length; i++) types[i] = ReadValType(ref r);
                return new TupleDef(types);
            }
            case 0x6E: return new FlagsDef(ReadLabels(ref r));
            case 0x6D: return new EnumDef(ReadLabels(ref r));
            case 0x6B: return new OptionDef(ReadValType(ref r));
            case 0x6A:
            {
                ValTypeRef? ok = ReadOptional(ref r) ? ReadValType(ref r) : null;
                ValTypeRef? error = ReadOptional(ref r) ? ReadValType(ref r) : null;
                return new ResultDef(ok, error);
            }
            case 0x69: return new OwnDef(r.ReadU32());
            case 0x68: return new BorrowDef(r.ReadU32());
            case 0x66: return new StreamDef(ReadOptional(ref r) ? ReadValType(ref r) : null);
            case 0x65: return new FutureDef(ReadOptional(ref r) ? ReadValType(ref r) : null);
            case 0x63:
            {
                var key = ReadValType(ref r);
                return new MapDef(key, ReadValType(ref r));
            }
            default:
                throw r.Error($"invalid leading byte (0x{b:x}) for component defined type", at);
        }
    }

    /// <summary>A <c>valtype</c>: a primitive's code, or a type index (a non-negative s33).</summary>
    private static ValTypeRef ReadValType(ref WasmReader r)
    {
        long at = r.Offset;
        byte b = r.PeekByte();
        if (PrimitiveType.IsCode(b))
        {
            r.ReadByte();
            return ValTypeRef.Of((Primitive)b);
        }
        long index = r.ReadS33();
        if (index < 0 || index > uint.MaxValue) throw r.Error($"invalid leading byte (0x{b:x}) for component value type", at);
        return ValTypeRef.At((uint)index);
    }

    /// <summary>A <c>resultlist</c>: 0x00 and a type, or 0x01 0x00 for none.</summary>
    private static ValTypeRef? ReadResultList(ref WasmReader r)
    {
        switch (r.ReadByte())
        {
            case 0x00: return ReadValType(ref r);
            case 0x01: Expect(ref r, 0x00, "number of results"); return null;
            default: throw Leading(ref r, "component function results");
        }
    }

    private static LabeledRef[] ReadLabeledTypes(ref WasmReader r)
    {
        var items = new LabeledRef[r.ReadCount()];
        for (int i = 0; i < items.Length; i++)
        {
            string label = ReadLabel(ref r);
            items[i] = new LabeledRef(label, ReadValType(ref r));
        }
        return items;
    }

    private static string[] ReadLabels(ref WasmReader r)
    {
        var labels = new string[r.ReadCount()];
        for (int i = 0; i < labels.Length; i++) labels[i] = ReadLabel(ref r);
        return labels;
    }

    /// <summary>A label: a name in kebab case (checked by validation, with its uniqueness).</summary>
    private static string ReadLabel(ref WasmReader r) => r.ReadName();

    private static Declaration[] ReadDeclarations(ref WasmReader r, bool component)
    {
        var decls = new Declaration[r.ReadCount()];
        for (int i = 0; i < decls.Length; i++)
        {
            long at = r.Offset;
            byte b = r.ReadByte();
            decls[i] = b switch
            {
                0x00 => new CoreTypeDeclaration(at, ReadCoreType(ref r)),
                0x01 => new TypeDeclaration(at, ReadDefinedType(ref r)),
                0x02 => new AliasDeclaration(at, ReadAlias(ref r, at)),
                0x03 when component => new ImportDeclaration(at, ReadExternName(ref r), ReadExternType(ref r)),
                0x04 => new ExportDeclaration(at, ReadExternName(ref r), ReadExternType(ref r)),
                _ => throw r.Error($"invalid leading byte (0x{b:x}) for component or instance type declaration", at),
            };
        }
        return decls;
    }

    private static ExternType ReadExternType(ref WasmReader r)
    {
        long at = r.Offset;
        byte b = r.ReadByte();
        switch (b)
        {
            case 0x00:
                Expect(ref r, 0x11, "component external kind");
                return new CoreModuleExtern(r.ReadU32());
            case 0x01: return new FuncExtern(r.ReadU32());
            case 0x02:
                return r.ReadByte() switch
                {
                    0x00 => new ValueExtern(r.ReadU32(), null),
                    0x01 => new ValueExtern(null, ReadValType(ref r)),
                    _ => throw Leading(ref r, "value bound"),
                };
            case 0x03:
                return r.ReadByte() switch
                {
                    0x00 => new TypeExtern(r.ReadU32()),
                    0x01 => new TypeExtern(null),
                    _ => throw Leading(ref r, "type bound"),
                };
            case 0x04: return new ComponentExtern(r.ReadU32());
            case 0x05: return new InstanceExtern(r.ReadU32());
            default: throw r.Error($"invalid leading byte (0x{b:x}) for component external kind", at);
        }
    }

    // ---- names ----

    private static ExternName ReadExternName(ref WasmReader r)
    {
        byte b = r.ReadByte();
        if (b > 0x02) throw Leading(ref r, "component name");
        string name = r.ReadName();
        if (b < 0x02) return new ExternName(name);
        string? implements = null, version = null, externalId = null, repeated = null;
        uint count = r.ReadCount();
        for (uint i = 0; i < count; i++)
        {
            switch (r.ReadByte())
            {
                case 0x00: Once(ref r, ref implements, "implements", ref repeated); break;
                case 0x01: Once(ref r, ref version, "versionsuffix", ref repeated); break;
                case 0x02: Once(ref r, ref externalId, "external-id", ref repeated); break;
                default: throw Leading(ref r, "name option");
            }
        }
        return new ExternName(name, implements, version, externalId, repeated);

        // A repeated attribute decodes; validation refuses it (Binary.md: each kind at most once).
        static void Once(ref WasmReader r, ref string? slot, string what, ref string? repeated)
        {
            string value = r.ReadName();
            if (slot is not null) repeated ??= what;
            slot ??= value;
        }
    }

    // ---- canon, start, export ----

    private static Canon ReadCanon(ref WasmReader r)
    {
        long at = r.Offset;
        byte b = r.ReadByte();
        switch (b)
        {
            case 0x00:
            {
                Expect(ref r, 0x00, "canonical function lift");
                uint func = r.ReadU32();
                var options = ReadCanonOptions(ref r);
                return new CanonLift(func, options, r.ReadU32());
            }
            case 0x01:
            {
                Expect(ref r, 0x00, "canonical function lower");
                uint func = r.ReadU32();
                return new CanonLower(func, ReadCanonOptions(ref r));
            }
            case 0x02: return new CanonResource(ResourceBuiltin.New, r.ReadU32());
            case 0x03: return new CanonResource(ResourceBuiltin.Drop, r.ReadU32());
            case 0x04: return new CanonResource(ResourceBuiltin.Rep, r.ReadU32());
        }
        if (b >= AsyncBuiltins.Length || AsyncBuiltins[b] is not var (name, immediates))
            throw r.Error($"invalid leading byte (0x{b:x}) for canonical function", at);
        ValTypeRef? result = null;
        CanonOptionsDef? builtinOptions = null;
        uint index = 0;
        foreach (char c in immediates)
        {
            switch (c)
            {
                case 'u': index = r.ReadU32(); break;
                case 'v':
                    if (ModuleReader.ReadValueType(ref r) != ValueType.I32) throw r.Error("only i32 context slots are supported", r.Offset - 1);
                    break;
                case 'o': builtinOptions = ReadCanonOptions(ref r); break;
                case 'b': if (r.ReadByte() > 1) throw Leading(ref r, "optional flag"); break;
                case 'r':
                    result = ReadResultList(ref r);
                    break;
            }
        }
        return new CanonOther(b, name, result, builtinOptions, index);
    }

    /// <summary>The canon built-ins beyond lift, lower and the resource ones, by opcode: their text name and their
    /// immediates (u: u32, v: core valtype, o: options, b: a flag byte, r: a result list). They decode so that a
    /// component using them reads; validation says they are not supported.</summary>
    private static readonly (string Name, string Immediates)?[] AsyncBuiltins = BuildAsyncBuiltins();

    private static (string, string)?[] BuildAsyncBuiltins()
    {
        var table = new (string, string)?[0x43];
        void Add(int op, string name, string immediates) => table[op] = (name, immediates);
        Add(0x05, "task.cancel", "");
        Add(0x06, "subtask.cancel", "b");
        Add(0x09, "task.return", "ro");
        Add(0x0a, "context.get", "vu");
        Add(0x0b, "context.set", "vu");
        Add(0x0c, "thread.yield", "b");
        Add(0x0d, "subtask.drop", "");
        Add(0x0e, "stream.new", "u");
        Add(0x0f, "stream.read", "uo");
        Add(0x10, "stream.write", "uo");
        Add(0x11, "stream.cancel-read", "ub");
        Add(0x12, "stream.cancel-write", "ub");
        Add(0x13, "stream.drop-readable", "u");
        Add(0x14, "stream.drop-writable", "u");
        Add(0x15, "future.new", "u");
        Add(0x16, "future.read", "uo");
        Add(0x17, "future.write", "uo");
        Add(0x18, "future.cancel-read", "ub");
        Add(0x19, "future.cancel-write", "ub");
        Add(0x1a, "future.drop-readable", "u");
        Add(0x1b, "future.drop-writable", "u");
        Add(0x1c, "error-context.new", "o");
        Add(0x1d, "error-context.debug-message", "o");
        Add(0x1e, "error-context.drop", "");
        Add(0x1f, "waitable-set.new", "");
        Add(0x20, "waitable-set.wait", "bu");
        Add(0x21, "waitable-set.poll", "bu");
        Add(0x22, "waitable-set.drop", "");
        Add(0x23, "waitable.join", "");
        Add(0x24, "backpressure.inc", "");
        Add(0x25, "backpressure.dec", "");
        Add(0x26, "thread.index", "");
        Add(0x27, "thread.new-indirect", "uu");
        Add(0x28, "thread.resume-later", "");
        Add(0x29, "thread.suspend", "b");
        Add(0x2a, "thread.suspend-then-resume", "b");
        Add(0x2b, "thread.yield-then-resume", "b");
        Add(0x2c, "thread.suspend-then-promote", "b");
        Add(0x2d, "thread.yield-then-promote", "b");
        Add(0x40, "thread.spawn-ref", "bu");
        Add(0x41, "thread.spawn-indirect", "buu");
        Add(0x42, "thread.available-parallelism", "b");
        return table;
    }

    private static CanonOptionsDef ReadCanonOptions(ref WasmReader r)
    {
        StringEncoding? encoding = null;
        uint? memory = null, realloc = null, postReturn = null, callback = null;
        bool isAsync = false;
        string? conflict = null;
        uint count = r.ReadCount();
        for (uint i = 0; i < count; i++)
        {
            long at = r.Offset;
            byte b = r.ReadByte();
            switch (b)
            {
                case <= 0x02:
                    var e = b switch { 0x00 => StringEncoding.Utf8, 0x01 => StringEncoding.Utf16, _ => StringEncoding.Latin1Utf16 };
                    if (encoding is { } first)
                        conflict ??= $"canonical encoding option `{EncodingName(first)}` conflicts with option `{EncodingName(e)}`";
                    encoding ??= e;
                    break;
                case 0x03: Set(ref r, ref memory, "memory", ref conflict); break;
                case 0x04: Set(ref r, ref realloc, "realloc", ref conflict); break;
                case 0x05: Set(ref r, ref postReturn, "post-return", ref conflict); break;
                case 0x06:
                    if (isAsync) conflict ??= "canonical option `async` is specified more than once";
                    isAsync = true;
                    break;
                case 0x07: Set(ref r, ref callback, "callback", ref conflict); break;
                default: throw r.Error($"invalid leading byte (0x{b:x}) for canonical option", at);
            }
        }
        return encoding is null && memory is null && realloc is null && postReturn is null && !isAsync && callback is null
            ? CanonOptionsDef.None
            : new CanonOptionsDef(encoding, memory, realloc, postReturn, isAsync, callback, conflict);

        // A repeated option decodes; validation refuses it (Binary.md: no duplicate or conflicting options).
        static void Set(ref WasmReader r, ref uint? slot, string what, ref string? conflict)
        {
            uint index = r.ReadU32();
            if (slot is not null) conflict ??= $"canonical option `{what}` is specified more than once";
            slot ??= index;
        }

        static string EncodingName(StringEncoding e) => e switch
        {
            StringEncoding.Utf8 => "utf8",
            StringEncoding.Utf16 => "utf16",
            _ => "latin1-utf16",
        };
    }

    private static StartDefinition ReadStart(ref WasmReader r)
    {
        long at = r.Offset;
        uint func = r.ReadU32();
        var args = new uint[r.ReadCount()];
        for (int i = 0; i < args.Length; i++) args[i] = r.ReadU32();
        return new StartDefinition(at, func, args, r.ReadU32());
    }

    private static ExportDefinition ReadExport(ref WasmReader r, long at)
    {
        var name = ReadExternName(ref r);
        var item = ReadSortIndex(ref r);
        ExternType? type = r.ReadByte() switch
        {
            0x00 => null,
            0x01 => ReadExternType(ref r),
            _ => throw Leading(ref r, "optional component export type"),
        };
        return new ExportDefinition(at, name, item, type);
    }

    // ---- helpers ----

    /// <summary>Reads a 0x00 (absent) or 0x01 (present) byte.</summary>
    private static bool ReadOptional(ref WasmReader r) => r.ReadByte() switch
    {
        0x00 => false,
        0x01 => true,
        _ => throw Leading(ref r, "optional"),
    };

    private static byte Expect(ref WasmReader r, byte expected, string what)
    {
        if (r.ReadByte() != expected) throw Leading(ref r, what);
        return expected;
    }

    /// <summary>The error for the byte just read, which cannot start <paramref name="what"/>.</summary>
    private static MalformedModuleException Leading(ref WasmReader r, string what) =>
        r.Error($"invalid leading byte (0x{r.Data[r.Position - 1]:x}) for {what}", r.Offset - 1);
}
