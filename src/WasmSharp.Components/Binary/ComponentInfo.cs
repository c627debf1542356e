using WasmSharp.Binary;

namespace WasmSharp.Components.Binary;

/// <summary>The index spaces of a component (Explainer, "Index Spaces"): eight core ones and five of the component
/// level. Every definition adds to one of them; a <c>sortidx</c> names an item by space and index.</summary>
public enum Sort : byte
{
    CoreFunc, CoreTable, CoreMemory, CoreGlobal, CoreTag, CoreType, CoreModule, CoreInstance,
    Func, Value, Type, Component, Instance,
}

public static class SortExtensions
{
    public const int Count = (int)Sort.Instance + 1;

    public static bool IsCore(this Sort s) => s <= Sort.CoreInstance;

    /// <summary>How the text format names the sort: "core func", "type", ...</summary>
    public static string ToText(this Sort s) => s switch
    {
        Sort.CoreFunc => "core func",
        Sort.CoreTable => "core table",
        Sort.CoreMemory => "core memory",
        Sort.CoreGlobal => "core global",
        Sort.CoreTag => "core tag",
        Sort.CoreType => "core type",
        Sort.CoreModule => "core module",
        Sort.CoreInstance => "core instance",
        _ => s.ToString().ToLowerInvariant(),
    };

    /// <summary>The core sort of a core external kind (func, table, memory, global).</summary>
    public static Sort OfCore(ExternalKind kind) => (Sort)(byte)kind;

    /// <summary>Each sort's binary code: <c>core:sort</c> for the core sorts, <c>sort</c> for the others (Binary.md).</summary>
    private static ReadOnlySpan<byte> Codes => [0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12, 0x01, 0x02, 0x03, 0x04, 0x05];

    /// <summary>The <c>core:sort</c> byte of a core sort, or the <c>sort</c> byte of a component sort.</summary>
    public static byte Code(this Sort s) => Codes[(int)s];

    /// <summary>The core sort (<paramref name="core"/>) or component sort whose code is <paramref name="code"/>.</summary>
    public static Sort? FromCode(byte code, bool core)
    {
        for (int i = core ? 0 : (int)Sort.Func; i < (core ? (int)Sort.Func : Count); i++)
            if (Codes[i] == code) return (Sort)i;
        return null;
    }
}

/// <summary>An item of an index space.</summary>
public readonly record struct SortIndex(Sort Sort, uint Index)
{
    public override string ToString() => $"{Sort.ToText()} {Index}";
}

/// <summary>A decoded component (<see cref="ComponentReader"/>): its definitions in binary order, each as written.
/// Index spaces are built as they come, so their order is their meaning; validation resolves indices and types.</summary>
public sealed class ComponentInfo
{
    public List<Definition> Definitions { get; } = [];
    public List<CustomSection> CustomSections { get; } = [];
}

/// <summary>One definition, at byte <see cref="Offset"/> of the outermost binary.</summary>
public abstract record Definition(long Offset);

/// <summary><c>(core module ...)</c>: a core module's binary, decoded when the component is validated.</summary>
public sealed record CoreModuleDefinition(long Offset, ReadOnlyMemory<byte> Binary) : Definition(Offset);

/// <summary><c>(core instance (instantiate m (with "name" (instance i))*))</c>.</summary>
public sealed record CoreInstantiate(long Offset, uint Module, Items<CoreInstantiateArgument> Arguments) : Definition(Offset);

public sealed record CoreInstantiateArgument(string Name, uint Instance);

/// <summary><c>(core instance (export "name" (sort idx))*)</c>: a core instance made of existing items.</summary>
public sealed record CoreInstanceFromExports(long Offset, Items<NamedItem> Exports) : Definition(Offset);

/// <summary>A name and the item it stands for: an inline export, or an instantiation argument.</summary>
public sealed record NamedItem(string Name, SortIndex Item)
{
    /// <summary>For an instance's inline export: its name with attributes.</summary>
    public ExternName? ExternName { get; init; }
}

/// <summary><c>(core type ...)</c>: a core function type or a core module type.</summary>
public sealed record CoreTypeDefinition(long Offset, CoreDefinedType Type) : Definition(Offset);

/// <summary>A nested <c>(component ...)</c>.</summary>
public sealed record NestedComponent(long Offset, ComponentInfo Component) : Definition(Offset);

/// <summary><c>(instance (instantiate c (with "name" (sort idx))*))</c>.</summary>
public sealed record ComponentInstantiate(long Offset, uint Component, Items<NamedItem> Arguments) : Definition(Offset);

/// <summary><c>(instance (export "name" (sort idx))*)</c>.</summary>
public sealed record InstanceFromExports(long Offset, Items<NamedItem> Exports) : Definition(Offset);

/// <summary><c>(alias ...)</c>: adds to <see cref="Sort"/>'s space an item found elsewhere.</summary>
public sealed record Alias(long Offset, Sort Sort, AliasTarget Target) : Definition(Offset);

public abstract record AliasTarget;

/// <summary><c>(alias export i "name")</c>: an export of a component instance.</summary>
public sealed record InstanceExportAlias(uint Instance, string Name) : AliasTarget;

/// <summary><c>(alias core export i "name")</c>: an export of a core instance.</summary>
public sealed record CoreInstanceExportAlias(uint Instance, string Name) : AliasTarget;

/// <summary><c>(alias outer ct idx)</c>: item <see cref="Index"/> of the scope <see cref="Count"/> levels out.</summary>
public sealed record OuterAlias(uint Count, uint Index) : AliasTarget;

/// <summary><c>(type ...)</c>: a component-level type definition.</summary>
public sealed record TypeDefinition(long Offset, DefinedType Type) : Definition(Offset);

/// <summary><c>(canon ...)</c>: a function made by the Canonical ABI.</summary>
public sealed record CanonDefinition(long Offset, Canon Canon) : Definition(Offset);

/// <summary><c>(start f (value a)* (result (value))*)</c>.</summary>
public sealed record StartDefinition(long Offset, uint Function, Items<uint> Arguments, uint Results) : Definition(Offset);

/// <summary><c>(import "name" externtype)</c>.</summary>
public sealed record ImportDefinition(long Offset, ExternName Name, ExternType Type) : Definition(Offset);

/// <summary><c>(export "name" (sort idx) externtype?)</c>.</summary>
public sealed record ExportDefinition(long Offset, ExternName Name, SortIndex Item, ExternType? Type) : Definition(Offset);

/// <summary>An import or export name with its attributes (<c>implements</c>, <c>versionsuffix</c>,
/// <c>external-id</c>); <paramref name="RepeatedAttribute"/> names an attribute given more than once (invalid).</summary>
public sealed record ExternName(string Name, string? Implements = null, string? VersionSuffix = null, string? ExternalId = null,
    string? RepeatedAttribute = null)
{
    public override string ToString() => Name;
}

// ---- types as written: value types name primitives or type indices ----

/// <summary>A <c>valtype</c>: a primitive, or an index into the type space (<see cref="Primitive"/> is 0 then).</summary>
public readonly record struct ValTypeRef(Primitive Primitive, uint Index)
{
    public bool IsPrimitive => Primitive != 0;
    public static ValTypeRef Of(Primitive p) => new(p, 0);
    public static ValTypeRef At(uint index) => new(0, index);
    public override string ToString() => IsPrimitive ? PrimitiveType.Of(Primitive).ToString() : $"type {Index}";
}

/// <summary>A <c>deftype</c>.</summary>
public abstract record DefinedType;

/// <summary>A <c>defvaltype</c> as written.</summary>
public abstract record DefinedValueType : DefinedType;

public sealed record PrimitiveDef(Primitive Primitive) : DefinedValueType;
public sealed record LabeledRef(string Label, ValTypeRef Type);
public sealed record CaseRef(string Label, ValTypeRef? Type);
public sealed record RecordDef(Items<LabeledRef> Fields) : DefinedValueType;
public sealed record VariantDef(Items<CaseRef> Cases) : DefinedValueType;
public sealed record ListDef(ValTypeRef Element, uint? Length) : DefinedValueType;
public sealed record TupleDef(Items<ValTypeRef> Types) : DefinedValueType;
public sealed record FlagsDef(Items<string> Labels) : DefinedValueType;
public sealed record EnumDef(Items<string> Labels) : DefinedValueType;
public sealed record OptionDef(ValTypeRef Type) : DefinedValueType;
public sealed record ResultDef(ValTypeRef? Ok, ValTypeRef? Error) : DefinedValueType;
public sealed record OwnDef(uint Resource) : DefinedValueType;
public sealed record BorrowDef(uint Resource) : DefinedValueType;
public sealed record StreamDef(ValTypeRef? Element) : DefinedValueType;
public sealed record FutureDef(ValTypeRef? Element) : DefinedValueType;
public sealed record MapDef(ValTypeRef Key, ValTypeRef Value) : DefinedValueType;

/// <summary><c>(func async? (param "l" t)* (result t)?)</c>.</summary>
public sealed record FuncTypeDef(Items<LabeledRef> Parameters, ValTypeRef? Result, bool Async) : DefinedType;

/// <summary><c>(component decl*)</c>.</summary>
public sealed record ComponentTypeDef(Items<Declaration> Declarations) : DefinedType;

/// <summary><c>(instance decl*)</c>.</summary>
public sealed record InstanceTypeDef(Items<Declaration> Declarations) : DefinedType;

/// <summary><c>(resource (rep t) (dtor f)?)</c>.</summary>
public sealed record ResourceTypeDef(ValueType Representation, uint? Destructor) : DefinedType;

/// <summary>A declaration of a component or instance type.</summary>
public abstract record Declaration(long Offset);
public sealed record CoreTypeDeclaration(long Offset, CoreDefinedType Type) : Declaration(Offset);
public sealed record TypeDeclaration(long Offset, DefinedType Type) : Declaration(Offset);
public sealed record AliasDeclaration(long Offset, Alias Alias) : Declaration(Offset);
public sealed record ImportDeclaration(long Offset, ExternName Name, ExternType Type) : Declaration(Offset);
public sealed record ExportDeclaration(long Offset, ExternName Name, ExternType Type) : Declaration(Offset);

/// <summary>An <c>externtype</c>: the sort and the type (index) an import or export has.</summary>
public abstract record ExternType;
public sealed record CoreModuleExtern(uint CoreType) : ExternType;
public sealed record FuncExtern(uint Type) : ExternType;
public sealed record ComponentExtern(uint Type) : ExternType;
public sealed record InstanceExtern(uint Type) : ExternType;
/// <summary><c>(type (eq i))</c>, or with <see cref="Equal"/> null <c>(type (sub resource))</c>.</summary>
public sealed record TypeExtern(uint? Equal) : ExternType;
/// <summary><c>(value (eq i))</c> or <c>(value t)</c>.</summary>
public sealed record ValueExtern(uint? Equal, ValTypeRef? Type) : ExternType;

// ---- core types ----

/// <summary>A <c>core:deftype</c> of a component: a function type or a module type.</summary>
public abstract record CoreDefinedType;
public sealed record CoreFuncTypeDef(FunctionType Type) : CoreDefinedType;
public sealed record CoreModuleTypeDef(Items<CoreModuleDeclaration> Declarations) : CoreDefinedType;
/// <summary>GC types (Wasm 3.0 <c>rec</c>, <c>sub</c>): decoded past, <see cref="Count"/> entries of the core type
/// space that nothing in WasmSharp can use yet.</summary>
public sealed record CoreGcTypeDef(int Count) : CoreDefinedType;

public abstract record CoreModuleDeclaration;
public sealed record CoreImportDeclaration(Import Import) : CoreModuleDeclaration;
public sealed record CoreTypeInModule(CoreDefinedType Type) : CoreModuleDeclaration;
/// <summary><c>(alias outer ct idx (type))</c> in a module type.</summary>
public sealed record CoreOuterAlias(uint Count, uint Index) : CoreModuleDeclaration;
/// <summary><c>(export "name" externtype)</c>: the descriptor is read as an import with an empty module name.</summary>
public sealed record CoreExportDeclaration(string Name, Import Type) : CoreModuleDeclaration;

// ---- canonical definitions ----

public abstract record Canon;

/// <summary>The canonical options as written (indices into the core spaces); <paramref name="Conflict"/> says which
/// options were repeated or conflict (invalid), the first given kept.</summary>
public sealed record CanonOptionsDef(StringEncoding? Encoding, uint? Memory, uint? Realloc, uint? PostReturn, bool Async, uint? Callback,
    string? Conflict = null)
{
    public static readonly CanonOptionsDef None = new(null, null, null, null, false, null);
}

/// <summary><c>(canon lift f opts (type ft))</c>: a component function from core function <see cref="CoreFunc"/>.</summary>
public sealed record CanonLift(uint CoreFunc, CanonOptionsDef Options, uint Type) : Canon;

/// <summary><c>(canon lower f opts)</c>: a core function from component function <see cref="Func"/>.</summary>
public sealed record CanonLower(uint Func, CanonOptionsDef Options) : Canon;

public enum ResourceBuiltin : byte { New, Drop, Rep }

/// <summary><c>(canon resource.new|drop|rep rt)</c>.</summary>
public sealed record CanonResource(ResourceBuiltin Builtin, uint Type) : Canon;

/// <summary>A built-in of the asynchronous ABI or of threads, decoded so the binary reads: <see cref="Name"/> as the
/// text format spells it, and for <c>task.return</c> its result type.</summary>
public sealed record CanonOther(byte Opcode, string Name, ValTypeRef? Result = null, CanonOptionsDef? Options = null, uint Index = 0) : Canon;
