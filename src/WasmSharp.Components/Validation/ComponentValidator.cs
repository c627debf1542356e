using WasmSharp.Binary;
using WasmSharp.Components.Binary;
using WasmSharp.Validation;

namespace WasmSharp.Components.Validation;

/// <summary>
/// Validates a decoded component (Binary.md's validation notes, Explainer.md): builds each index space with the
/// types of its items, checks every index, type and name, types instantiations (core and component, binding
/// abstract resource types to the arguments' and making defined ones fresh per instance), canonical definitions
/// against their core functions and options, and the external visibility of exported and imported types. Returns the
/// component's type; throws <see cref="InvalidModuleException"/> at the offset of the definition that is invalid.
/// </summary>
public static class ComponentValidator
{
    public static ComponentTypeInfo Validate(ComponentInfo component) => new Validator().Component(component, outer: null);

    /// <summary>Where a type came from, for external visibility: exports may name only imported or exported
    /// types, imports only imported ones.</summary>
    private enum Origin : byte { Defined, Imported, Exported }

    /// <summary>An entry of the type space: the type (a value, function, component or instance type, or a
    /// resource), where it came from, and the entries whose names a use of it needs (records, variants, enums,
    /// flags and resources, itself included).</summary>
    private sealed class TypeSlot(object type, Origin origin)
    {
        public object Type { get; } = type;
        public Origin Origin { get; } = origin;
        public HashSet<TypeSlot> Uses { get; } = [];
    }

    /// <summary>A component function and the type entries its signature names.</summary>
    private sealed record FuncEntry(ComponentFunctionType Type, IReadOnlySet<TypeSlot> Uses);

    /// <summary>A component instance's type, and where it came from: types aliased from an imported instance count
    /// as imported, from an exported one as exported, from any other as defined here (they have no name).</summary>
    private sealed record InstanceEntry(InstanceTypeInfo Type, Origin Origin);

    private static readonly HashSet<TypeSlot> NoSlots = [];

    private sealed class InvalidException(string message) : Exception(message);

    private static InvalidException Invalid(string message) => new(message);

    /// <summary>One scope: a component, or a component or instance type being declared.</summary>
    private sealed class Scope(Scope? outer, bool isComponent)
    {
        public Scope? Outer { get; } = outer;
        public bool IsComponent { get; } = isComponent;
        public List<object>[] Spaces { get; } = Enumerable.Range(0, SortExtensions.Count).Select(_ => new List<object>()).ToArray();
        public List<object> this[Sort s] => Spaces[(int)s];
        public List<(string, ExternDesc)> Imports { get; } = [];
        public List<(string, ExternDesc)> Exports { get; } = [];
        public HashSet<string> ImportNames { get; } = [];
        public HashSet<string> ExportNames { get; } = [];
        public List<ResourceType> ImportedResources { get; } = [];
        public List<ResourceType> DefinedResources { get; } = [];
        /// <summary>Resources defined in this component (resource.new and resource.rep take only these).</summary>
        public HashSet<ResourceType> Local { get; } = [];
        /// <summary>The resources this scope's imports name, and those its exports name: an annotated function name
        /// refers to one of the same side.</summary>
        public Dictionary<string, ResourceType> ImportedNames { get; } = [];
        public Dictionary<string, ResourceType> ExportedNames { get; } = [];
    }

    private sealed class Validator
    {
        private Scope _scope = null!;

        public ComponentTypeInfo Component(ComponentInfo component, Scope? outer)
        {
            var saved = _scope;
            _scope = new Scope(outer, isComponent: true);
            try
            {
                foreach (var d in component.Definitions)
                {
                    try
                    {
                        Define(d);
                    }
                    catch (InvalidException e)
                    {
                        throw new InvalidModuleException(e.Message, d.Offset);
                    }
                }
                return new ComponentTypeInfo(_scope.Imports.ToArray(), _scope.Exports.ToArray(), _scope.ImportedResources.ToArray(),
                    _scope.DefinedResources.ToArray());
            }
            finally { _scope = saved; }
        }

        private T Get<T>(Sort sort, uint index) where T : class => Get<T>(_scope, sort, index);

        private static T Get<T>(Scope scope, Sort sort, uint index) where T : class
        {
            var space = scope[sort];
            if (index >= (uint)space.Count)
                throw Invalid(sort == Sort.Type ? $"type index out of bounds: {index}" : $"{sort.ToText()} index out of bounds: {index}");
            return space[(int)index] as T ?? throw Invalid($"{sort.ToText()} index {index} is not a {KindName<T>()}");
        }

        private static string KindName<T>() => typeof(T).Name switch
        {
            nameof(CoreModuleType) => "module",
            nameof(FunctionType) => "function",
            _ => typeof(T).Name,
        };

        private TypeSlot Slot(uint index) => Get<TypeSlot>(Sort.Type, index);

        private void Define(Definition d)
        {
            switch (d)
            {
                case CoreModuleDefinition m: _scope[Sort.CoreModule].Add(CoreModule(m.Binary)); break;
                case CoreInstantiate c: _scope[Sort.CoreInstance].Add(CoreInstantiate(c)); break;
                case CoreInstanceFromExports c:
                {
                    var exports = new Dictionary<string, object>();
                    foreach (var e in c.Exports)
                    {
                        if (!e.Item.Sort.IsCore() || e.Item.Sort is Sort.CoreType or Sort.CoreModule or Sort.CoreInstance)
                            throw Invalid($"a core instance may not export a {e.Item.Sort.ToText()}");
                        if (!exports.TryAdd(e.Name, Get<object>(e.Item.Sort, e.Item.Index)))
                            throw Invalid($"export name `{e.Name}` already defined");
                    }
                    _scope[Sort.CoreInstance].Add(exports);
                    break;
                }
                case CoreTypeDefinition t: AddCoreType(t.Type, _scope[Sort.CoreType]); break;
                case NestedComponent n: _scope[Sort.Component].Add(Component(n.Component, _scope)); break;
                case ComponentInstantiate c: _scope[Sort.Instance].Add(new InstanceEntry(Instantiate(c), Origin.Defined)); break;
                case InstanceFromExports i:
                {
                    var exports = new List<(string, ExternDesc)>();
                    var names = new HashSet<string>();
                    var bagNames = new Dictionary<string, ResourceType>();
                    foreach (var e in i.Exports)
                    {
                        var desc = DescOf(e.Item);
                        CheckName(e.ExternName ?? new ExternName(e.Name), desc);
                        // A bag's type exports are not new names: an annotated function finds the label, but the
                        // resources it uses have no name there.
                        CheckAnnotated(e.Name, desc, bagNames, known: []);
                        if (desc is TypeDesc { Type: ResourceType br }) bagNames[e.Name] = br;
                        if (!names.Add(ComponentNames.Canonical(e.Name))) throw Invalid($"export name `{e.Name}` conflicts with previous name");
                        exports.Add((e.Name, desc));
                    }
                    _scope[Sort.Instance].Add(new InstanceEntry(new InstanceTypeInfo(exports, []), Origin.Defined));
                    break;
                }
                case Alias a: Alias(a); break;
                case TypeDefinition t: DefineType(t.Type); break;
                case CanonDefinition c: Canon(c.Canon); break;
                case StartDefinition: throw Invalid("start definitions (component values) are not supported");
                case ImportDefinition i: Import(i.Name, i.Type); break;
                case ExportDefinition e: Export(e); break;
                default: throw Invalid($"unknown definition {d.GetType().Name}");
            }
        }

        // ---- core ----

        private static CoreModuleType CoreModule(ReadOnlyMemory<byte> binary)
        {
            // One pass decodes and validates (no translation): its ModuleInfo gives the imports and exports.
            var info = ModuleValidator.Compile(binary, translate: false).Info;
            UniqueImports(info.Imports.Select(i => (i.Module, i.Name)));
            var imports = info.Imports.Select(i => (i.Module, i.Name, CoreImportType(info, i))).ToArray();
            var exports = new Dictionary<string, object>();
            foreach (var e in info.Exports)
            {
                exports[e.Name] = e.Kind switch
                {
                    ExternalKind.Function => info.Types[(int)info.FunctionTypeIndices[(int)e.Index]],
                    ExternalKind.Table => info.AllTables[(int)e.Index],
                    ExternalKind.Memory => info.AllMemories[(int)e.Index],
                    ExternalKind.Tag => new CoreTagType(info.GetTagType((int)e.Index)),
                    _ => (object)info.AllGlobals[(int)e.Index],
                };
            }
            return new CoreModuleType(imports, exports);
        }

        private static object CoreImportType(ModuleInfo info, Import i) => i.Kind switch
        {
            ExternalKind.Function => info.Types[(int)i.TypeIndex],
            ExternalKind.Table => i.Table!,
            ExternalKind.Memory => i.Memory!,
            ExternalKind.Tag => new CoreTagType(info.Types[(int)i.TypeIndex]),
            _ => i.Global!,
        };

        private Dictionary<string, object> CoreInstantiate(CoreInstantiate c)
        {
            var module = Get<CoreModuleType>(Sort.CoreModule, c.Module);
            var args = new Dictionary<string, Dictionary<string, object>>();
            foreach (var a in c.Arguments)
            {
                if (!args.TryAdd(a.Name, Get<Dictionary<string, object>>(Sort.CoreInstance, a.Instance)))
                    throw Invalid($"duplicate module instantiation argument named `{a.Name}`");
            }
            foreach (var (moduleName, name, type) in module.Imports)
            {
                if (!args.TryGetValue(moduleName, out var instance)) throw Invalid($"missing module instantiation argument named `{moduleName}`");
                if (!instance.TryGetValue(name, out var given))
                    throw Invalid($"module instantiation argument `{moduleName}` does not export an item named `{name}`");
                if (TypeMatching.CoreMismatch(given, type) is { } why)
                    throw Invalid($"type mismatch for export `{name}` of module instantiation argument `{moduleName}`: {why}");
            }
            return new Dictionary<string, object>(module.Exports);
        }

        /// <summary>A core type definition's entries: one, or a GC recursion group's several (opaque: nothing can use
        /// them until the core has GC types).</summary>
        private void AddCoreType(CoreDefinedType t, List<object> space)
        {
            if (t is CoreGcTypeDef gc)
                for (int i = 0; i < gc.Count; i++) space.Add(gc);
            else space.Add(CoreType(t));
        }

        private object CoreType(CoreDefinedType t)
        {
            switch (t)
            {
                case CoreFuncTypeDef f: return f.Type;
                case CoreModuleTypeDef m:
                {
                    var types = new List<object>();
                    var imports = new List<(string, string, object)>();
                    var exports = new Dictionary<string, object>();
                    foreach (var d in m.Declarations)
                    {
                        switch (d)
                        {
                            case CoreTypeInModule { Type: CoreModuleTypeDef }:
                                throw Invalid("a module type may not declare a module type");
                            case CoreTypeInModule inner: AddCoreType(inner.Type, types); break;
                            case CoreOuterAlias o:
                            {
                                // Count 0 is the module type itself, 1 the scope around it.
                                var type = o.Count == 0
                                    ? (o.Index < (uint)types.Count ? types[(int)o.Index] : throw Invalid($"type index out of bounds: {o.Index}"))
                                    : Get<object>(Outer(o.Count - 1, Sort.CoreType), Sort.CoreType, o.Index);
                                if (type is CoreModuleType) throw Invalid("a module type may not alias a module type");
                                types.Add(type);
                                break;
                            }
                            case CoreImportDeclaration i: imports.Add((i.Import.Module, i.Import.Name, Descriptor(i.Import, types))); break;
                            case CoreExportDeclaration e:
                                if (!exports.TryAdd(e.Name, Descriptor(e.Type, types))) throw Invalid($"export name `{e.Name}` already defined");
                                break;
                        }
                    }
                    UniqueImports(imports.Select(i => (i.Item1, i.Item2)));
                    return new CoreModuleType(imports, exports);
                }
                default: throw Invalid("unknown core type");
            }

            static object Descriptor(Import i, List<object> types) => i.Kind switch
            {
                ExternalKind.Function => i.TypeIndex < (uint)types.Count && types[(int)i.TypeIndex] is FunctionType f
                    ? f : throw Invalid($"type index out of bounds: {i.TypeIndex}"),
                ExternalKind.Table => i.Table!,
                ExternalKind.Memory => Memory(i.Memory!),
                ExternalKind.Tag => i.TypeIndex < (uint)types.Count && types[(int)i.TypeIndex] is FunctionType t
                    ? new CoreTagType(t) : throw Invalid($"type index out of bounds: {i.TypeIndex}"),
                _ => i.Global!,
            };

            static MemoryType Memory(MemoryType m) =>
                m.Limits.Min > MemoryType.MaxPages32 || m.Limits.Max > MemoryType.MaxPages32
                    ? throw Invalid($"memory size must be at most {MemoryType.MaxPages32} pages (4GiB)")
                    : m.Limits.Max < m.Limits.Min ? throw Invalid("size minimum must not be greater than maximum")
                    : m.Shared && m.Limits.Max is null ? throw Invalid("shared memory must have maximum") : m;
        }

        /// <summary>A component flattens a core module's two-level import names into one (<c>module:name</c>), so two
        /// imports of the same pair may not both be.</summary>
        private static void UniqueImports(IEnumerable<(string Module, string Name)> imports)
        {
            var seen = new HashSet<(string, string)>();
            foreach (var i in imports)
                if (!seen.Add(i)) throw Invalid($"duplicate import name `{i.Module}:{i.Name}`");
        }

        // ---- instances ----

        private InstanceTypeInfo Instantiate(ComponentInstantiate c)
        {
            var component = Get<ComponentTypeInfo>(Sort.Component, c.Component);
            var args = new Dictionary<string, ExternDesc>();
            foreach (var a in c.Arguments)
            {
                if (!args.TryAdd(a.Name, DescOf(a.Item))) throw Invalid($"instantiation argument `{a.Name}` conflicts with previous argument");
            }
            var map = new Dictionary<ResourceType, ResourceType>();
            var bindable = new HashSet<ResourceType>(component.ImportedResources);
            foreach (var (name, desc) in component.Imports)
            {
                if (!args.TryGetValue(name, out var given)) throw Invalid($"missing import named `{name}`");
                try { TypeMatching.Check(given, desc, map, bindable); }
                catch (TypeMismatchException e) { throw Invalid($"type mismatch for component instantiation argument `{name}`: {e.Message}"); }
            }
            // Each instance has resources of its own.
            TypeMatching.Freshen(component.DefinedResources, map);
            var exports = component.Exports.Select(e => (e.Name, TypeMatching.Substitute(e.Desc, map))).ToArray();
            return new InstanceTypeInfo(exports, []);
        }

        /// <summary>What the item <paramref name="item"/> is, as an import or export.</summary>
        private ExternDesc DescOf(SortIndex item) => item.Sort switch
        {
            Sort.Func => new FuncDesc(Get<FuncEntry>(Sort.Func, item.Index).Type),
            Sort.Type => new TypeDesc(Slot(item.Index).Type),
            Sort.Component => new ComponentDesc(Get<ComponentTypeInfo>(Sort.Component, item.Index)),
            Sort.Instance => new InstanceDesc(Get<InstanceEntry>(Sort.Instance, item.Index).Type),
            Sort.CoreModule => new ModuleDesc(Get<CoreModuleType>(Sort.CoreModule, item.Index)),
            Sort.Value => throw Invalid("component values are not supported"),
            _ => throw Invalid($"a {item.Sort.ToText()} cannot be used here"),
        };

        /// <summary>Adds an item of description <paramref name="desc"/> to its space (an import, export or alias).</summary>
        private void Add(ExternDesc desc, Origin origin, HashSet<TypeSlot>? uses = null)
        {
            switch (desc)
            {
                case FuncDesc f: _scope[Sort.Func].Add(new FuncEntry(f.Type, uses ?? NoSlots)); break;
                case TypeDesc t:
                {
                    var slot = new TypeSlot(t.Type, origin);
                    if (uses is not null) slot.Uses.UnionWith(uses);
                    if (NeedsName(t.Type)) slot.Uses.Add(slot);
                    _scope[Sort.Type].Add(slot);
                    break;
                }
                case ComponentDesc c: _scope[Sort.Component].Add(c.Type); break;
                case InstanceDesc i: _scope[Sort.Instance].Add(new InstanceEntry(i.Type, origin)); break;
                case ModuleDesc m: _scope[Sort.CoreModule].Add(m.Type); break;
                case ValueDesc v: _scope[Sort.Value].Add(v.Type); break;
            }
        }

        // ---- aliases ----

        private void Alias(Alias a)
        {
            switch (a.Target)
            {
                case InstanceExportAlias e:
                {
                    var instance = Get<InstanceEntry>(Sort.Instance, e.Instance);
                    var desc = instance.Type.Export(e.Name) ?? throw Invalid($"instance {e.Instance} has no export named `{e.Name}`");
                    if (SortOf(desc) != a.Sort) throw Invalid($"export `{e.Name}` of instance {e.Instance} is a {SortOf(desc).ToText()}, not a {a.Sort.ToText()}");
                    Add(desc, instance.Origin);
                    break;
                }
                case CoreInstanceExportAlias e:
                {
                    var instance = Get<Dictionary<string, object>>(Sort.CoreInstance, e.Instance);
                    if (!instance.TryGetValue(e.Name, out var item)) throw Invalid($"core instance {e.Instance} has no export named `{e.Name}`");
                    var sort = item switch
                    {
                        FunctionType => Sort.CoreFunc,
                        TableType => Sort.CoreTable,
                        MemoryType => Sort.CoreMemory,
                        GlobalType => Sort.CoreGlobal,
                        CoreTagType => Sort.CoreTag,
                        _ => throw Invalid($"export `{e.Name}` of core instance {e.Instance} has an unknown kind"),
                    };
                    if (sort != a.Sort) throw Invalid($"export `{e.Name}` of core instance {e.Instance} is a {sort.ToText()}, not a {a.Sort.ToText()}");
                    _scope[a.Sort].Add(item);
                    break;
                }
                case OuterAlias o:
                {
                    if (a.Sort is not (Sort.Type or Sort.CoreType or Sort.Component or Sort.CoreModule))
                        throw Invalid($"outer item `{a.Sort.ToText()}` is not a module, type, or component");
                    var target = Outer(o.Count, a.Sort);
                    var item = Get<object>(target, a.Sort, o.Index);
                    if (a.Sort == Sort.Type)
                    {
                        var slot = (TypeSlot)item;
                        if (CrossesComponent(o.Count) && RefersToResources(slot.Type))
                            throw Invalid("transitively refers to resources: a type aliased from an enclosing component may not name a resource");
                        if (CrossesComponent(o.Count))
                        {
                            // Names given in an enclosing component do not reach into this one.
                            var copy = new TypeSlot(slot.Type, Origin.Defined);
                            if (slot.Uses.Count > 0) copy.Uses.Add(copy);
                            slot = copy;
                        }
                        _scope[Sort.Type].Add(slot);
                    }
                    else _scope[a.Sort].Add(item);
                    break;
                }
            }
        }

        private Scope Outer(uint count, Sort sort)
        {
            var target = _scope;
            for (uint i = 0; i < count; i++) target = target.Outer ?? throw Invalid($"invalid outer alias count of {count}");
            return target;
        }

        /// <summary>Whether going <paramref name="count"/> scopes out leaves a component (not just a type).</summary>
        private bool CrossesComponent(uint count)
        {
            var s = _scope;
            for (uint i = 0; i < count && s is not null; i++, s = s.Outer)
                if (s.IsComponent) return true;
            return false;
        }

        private static bool RefersToResources(object t) => t switch
        {
            ResourceType => true,
            ComponentValueType v => Handles(v),
            ComponentFunctionType f => f.Parameters.Any(p => Handles(p.Type)) || f.Result is not null && Handles(f.Result),
            InstanceTypeInfo i => i.Defined.Count > 0 || i.Exports.Any(e => RefersToResources(e.Desc)),
            ComponentTypeInfo c => c.ImportedResources.Count > 0 || c.DefinedResources.Count > 0
                                   || c.Imports.Any(e => RefersToResources(e.Desc)) || c.Exports.Any(e => RefersToResources(e.Desc)),
            ExternDesc d => d switch
            {
                TypeDesc td => RefersToResources(td.Type),
                FuncDesc fd => RefersToResources(fd.Type),
                ValueDesc vd => Handles(vd.Type),
                InstanceDesc id => RefersToResources(id.Type),
                ComponentDesc cd => RefersToResources(cd.Type),
                _ => false,
            },
            _ => false,
        };

        private static bool Handles(ComponentValueType t) => ValueTypeWalk.HasHandles(t);

        private static bool Contains(ComponentValueType t, Func<ComponentValueType, bool> p) => ValueTypeWalk.Any(t, p);

        private static Sort SortOf(ExternDesc d) => d switch
        {
            ModuleDesc => Sort.CoreModule,
            FuncDesc => Sort.Func,
            ValueDesc => Sort.Value,
            TypeDesc => Sort.Type,
            ComponentDesc => Sort.Component,
            _ => Sort.Instance,
        };

        // ---- types ----

        private void DefineType(DefinedType t)
        {
            var slot = TypeOf(t);
            _scope[Sort.Type].Add(slot);
        }

        private TypeSlot TypeOf(DefinedType t)
        {
            switch (t)
            {
                case DefinedValueType v:
                {
                    var uses = new HashSet<TypeSlot>();
                    var type = Value(v, uses);
                    var slot = new TypeSlot(type, Origin.Defined);
                    slot.Uses.UnionWith(uses);
                    if (NeedsName(type)) slot.Uses.Add(slot);
                    return slot;
                }
                case FuncTypeDef f:
                {
                    var uses = new HashSet<TypeSlot>();
                    var slot = new TypeSlot(Function(f, uses), Origin.Defined);
                    slot.Uses.UnionWith(uses);
                    return slot;
                }
                case ResourceTypeDef r:
                {
                    if (!_scope.IsComponent) throw Invalid("resources can only be defined within a concrete component");
                    if (r.Representation != ValueType.I32) throw Invalid("resources can only be represented by `i32`");
                    if (r.Destructor is uint d && !Get<FunctionType>(Sort.CoreFunc, d).Equals(new FunctionType([ValueType.I32], [])))
                        throw Invalid("wrong signature for a destructor");
                    var resource = new ResourceType($"resource {_scope[Sort.Type].Count}");
                    _scope.DefinedResources.Add(resource);
                    _scope.Local.Add(resource);
                    var slot = new TypeSlot(resource, Origin.Defined);
                    slot.Uses.Add(slot);
                    return slot;
                }
                case InstanceTypeDef i: return new TypeSlot(Declarations(i.Declarations, component: false), Origin.Defined);
                case ComponentTypeDef c: return new TypeSlot(Declarations(c.Declarations, component: true), Origin.Defined);
                default: throw Invalid("unknown type");
            }
        }

        /// <summary>Records, variants, enums, flags and resources are named where exports use them.</summary>
        private static bool NeedsName(object t) => t is RecordType or VariantType or EnumType or FlagsType or ResourceType;

        private ComponentFunctionType Function(FuncTypeDef f, HashSet<TypeSlot> uses)
        {
            var parameters = new Field[f.Parameters.Count];
            var names = new HashSet<string>();
            for (int i = 0; i < parameters.Length; i++)
            {
                var p = f.Parameters[i];
                Label("function parameter", p.Label, names);
                parameters[i] = new Field(p.Label, ValueRef(p.Type, uses));
            }
            var result = f.Result is { } r ? ValueRef(r, uses) : null;
            if (result is not null && Contains(result, t => t is BorrowType)) throw Invalid("function result cannot contain a `borrow` type");
            return new ComponentFunctionType(parameters, result, f.Async);
        }

        private ComponentValueType ValueRef(ValTypeRef r, HashSet<TypeSlot> uses)
        {
            if (r.IsPrimitive) return PrimitiveType.Of(r.Primitive);
            var slot = Slot(r.Index);
            if (slot.Type is not ComponentValueType v) throw Invalid($"type index {r.Index} is not a defined type");
            uses.UnionWith(slot.Uses);
            return v;
        }

        private ComponentValueType Value(DefinedValueType v, HashSet<TypeSlot> uses)
        {
            switch (v)
            {
                case RecordDef r:
                    if (r.Fields.Count == 0) throw Invalid("record type must have at least one field");
                    Labels("record field", r.Fields.Select(f => f.Label));
                    break;
                case VariantDef d:
                    if (d.Cases.Count == 0) throw Invalid("variant type must have at least one case");
                    Labels("variant case", d.Cases.Select(c => c.Label));
                    break;
                case TupleDef { Types.Count: 0 }: throw Invalid("tuple type must have at least one type");
                case FlagsDef f:
                    if (f.Labels.Count == 0) throw Invalid("flags must have at least one entry");
                    if (f.Labels.Count > FlagsType.MaxLabels) throw Invalid($"cannot have more than {FlagsType.MaxLabels} flags");
                    Labels("flag", f.Labels);
                    break;
                case EnumDef e:
                    if (e.Labels.Count == 0) throw Invalid("enum type must have at least one variant");
                    Labels("enum tag", e.Labels);
                    break;
                case ListDef { Length: 0 }: throw Invalid("fixed-length list must have a length above 0");
                case StreamDef { Element: { IsPrimitive: true, Primitive: Primitive.Char } }: throw Invalid("`stream<char>` is not valid at this time");
            }
            var type = ValueTypeResolution.Resolve(v, r => ValueRef(r, uses), index =>
            {
                var slot = Slot(index);
                if (slot.Type is not ResourceType resource) throw Invalid($"type index {index} is not a resource type");
                uses.UnionWith(slot.Uses);
                return resource;
            });
            if (type is MapType m && !IsKeyType(m.Key)) throw Invalid("map keys must be of a primitive type other than float");
            if (type is StreamType or FutureType && Contains(type, t => t is BorrowType))
                throw Invalid("a stream or future may not carry a `borrow`");
            if (CanonicalLayout.ElementSizeTooLarge(type)) throw Invalid("value type exceeds maximum byte size");
            return type;
        }

        private static bool IsKeyType(ComponentValueType t) =>
            t is PrimitiveType { Kind: not (Primitive.F32 or Primitive.F64 or Primitive.ErrorContext) };

        private static void Labels(string what, IEnumerable<string> labels)
        {
            var seen = new HashSet<string>();
            foreach (var l in labels) Label(what, l, seen);
        }

        private static void Label(string what, string label, HashSet<string> seen)
        {
            if (label.Length == 0) throw Invalid($"{what} name cannot be empty");
            if (!ComponentNames.IsLabel(label)) throw Invalid($"{what} name `{label}` is not in kebab case");
            if (!seen.Add(label.ToLowerInvariant())) throw Invalid($"{what} name `{label}` conflicts with previous {what} name");
        }

        /// <summary>A component or instance type from its declarations, in a scope of its own.</summary>
        private object Declarations(Items<Declaration> declarations, bool component)
        {
            var saved = _scope;
            _scope = new Scope(saved, isComponent: false);
            try
            {
                foreach (var d in declarations)
                {
                    switch (d)
                    {
                        case CoreTypeDeclaration c: AddCoreType(c.Type, _scope[Sort.CoreType]); break;
                        case TypeDeclaration t: DefineType(t.Type); break;
                        case AliasDeclaration a:
                            if (a.Alias.Target is OuterAlias && a.Alias.Sort is not (Sort.Type or Sort.CoreType))
                                throw Invalid("outer aliases in type declarations may only refer to types");
                            if (a.Alias.Target is InstanceExportAlias && a.Alias.Sort is not (Sort.Type or Sort.Instance))
                                throw Invalid("export aliases in type declarations may only refer to types or instances");
                            if (a.Alias.Target is CoreInstanceExportAlias) throw Invalid("core export aliases are not allowed in type declarations");
                            Alias(a.Alias);
                            break;
                        case ImportDeclaration i: Import(i.Name, i.Type); break;
                        case ExportDeclaration e: ExportDeclaration(e.Name, e.Type); break;
                    }
                }
                return component
                    ? new ComponentTypeInfo(_scope.Imports.ToArray(), _scope.Exports.ToArray(), _scope.ImportedResources.ToArray(), _scope.DefinedResources.ToArray())
                    : new InstanceTypeInfo(_scope.Exports.ToArray(), _scope.DefinedResources.ToArray());
            }
            finally { _scope = saved; }
        }

        // ---- imports and exports ----

        /// <summary>The description an <c>externtype</c> gives, the type entries it names, and for <c>(sub
        /// resource)</c> a fresh abstract resource.</summary>
        private (ExternDesc Desc, HashSet<TypeSlot> Uses) Extern(ExternType t, bool import)
        {
            switch (t)
            {
                case CoreModuleExtern m:
                    return (new ModuleDesc(Get<object>(Sort.CoreType, m.CoreType) as CoreModuleType
                        ?? throw Invalid($"core type index {m.CoreType} is not a module type")), NoSlots);
                case FuncExtern f:
                {
                    var slot = Slot(f.Type);
                    return slot.Type is ComponentFunctionType ft ? (new FuncDesc(ft), slot.Uses) : throw Invalid($"type index {f.Type} is not a function type");
                }
                case ComponentExtern c:
                {
                    var slot = Slot(c.Type);
                    return slot.Type is ComponentTypeInfo ct ? (new ComponentDesc(ct), NoSlots) : throw Invalid($"type index {c.Type} is not a component type");
                }
                case InstanceExtern i:
                {
                    var slot = Slot(i.Type);
                    if (slot.Type is not InstanceTypeInfo it) throw Invalid($"type index {i.Type} is not an instance type");
                    // Each import or export of an instance type has resources of its own.
                    var map = new Dictionary<ResourceType, ResourceType>();
                    TypeMatching.Freshen(it.Defined, map);
                    var fresh = TypeMatching.Substitute(it, map);
                    (import ? _scope.ImportedResources : _scope.DefinedResources).AddRange(fresh.Defined);
                    return (new InstanceDesc(new InstanceTypeInfo(fresh.Exports, [])), NoSlots);
                }
                case TypeExtern { Equal: uint eq }:
                {
                    var slot = Slot(eq);
                    return (new TypeDesc(slot.Type), slot.Uses);
                }
                case TypeExtern:
                {
                    var resource = new ResourceType("resource");
                    (import ? _scope.ImportedResources : _scope.DefinedResources).Add(resource);
                    return (new TypeDesc(resource), NoSlots);
                }
                case ValueExtern v:
                {
                    var uses = new HashSet<TypeSlot>();
                    if (v.Type is { } vt) return (new ValueDesc(ValueRef(vt, uses)), uses);
                    throw Invalid("component values are not supported");
                }
                default: throw Invalid("unknown extern type");
            }
        }

        private void Import(ExternName name, ExternType type)
        {
            var (desc, uses) = Extern(type, import: true);
            CheckName(name, desc);
            if (!_scope.ImportNames.Add(ComponentNames.Canonical(name.Name))) throw Invalid($"import name `{name.Name}` conflicts with previous name");
            CheckAnnotated(name.Name, desc, _scope.ImportedNames);
            uses = Renamed(type, uses);
            foreach (var slot in uses)
                if (slot.Origin != Origin.Imported)
                    throw Invalid($"{TypeMatching.Kind(desc)} not valid to be used as import: it names a type that is not imported");
            _scope.Imports.Add((name.Name, desc));
            if (desc is TypeDesc { Type: ResourceType ir }) _scope.ImportedNames[name.Name] = ir;
            Add(desc, Origin.Imported, uses.Count == 0 ? null : uses);
        }

        private void ExportDeclaration(ExternName name, ExternType type)
        {
            var (desc, uses) = Extern(type, import: false);
            CheckName(name, desc);
            if (!_scope.ExportNames.Add(ComponentNames.Canonical(name.Name))) throw Invalid($"export name `{name.Name}` conflicts with previous name");
            CheckAnnotated(name.Name, desc, _scope.ExportedNames);
            uses = Renamed(type, uses);
            CheckExported(desc, uses);
            _scope.Exports.Add((name.Name, desc));
            if (desc is TypeDesc { Type: ResourceType er }) _scope.ExportedNames[name.Name] = er;
            Add(desc, Origin.Exported, uses.Count == 0 ? null : uses);
        }

        private void Export(ExportDefinition e)
        {
            if (e.Item.Sort.IsCore() && e.Item.Sort != Sort.CoreModule) throw Invalid($"a component may not export a {e.Item.Sort.ToText()}");
            var desc = DescOf(e.Item);
            CheckName(e.Name, desc);
            if (!_scope.ExportNames.Add(ComponentNames.Canonical(e.Name.Name))) throw Invalid($"export name `{e.Name.Name}` conflicts with previous name");
            IReadOnlySet<TypeSlot> uses = e.Item.Sort switch
            {
                Sort.Func => Get<FuncEntry>(Sort.Func, e.Item.Index).Uses,
                Sort.Type => Slot(e.Item.Index).Uses,
                _ => NoSlots,
            };
            if (e.Type is { } ascribed)
            {
                var (expected, ascribedUses) = Extern(ascribed, import: false);
                var bindable = new HashSet<ResourceType>(_scope.DefinedResources.Where(r => expected is TypeDesc { Type: var t } && t == r));
                try { TypeMatching.Check(desc, expected, new Dictionary<ResourceType, ResourceType>(), bindable); }
                catch (TypeMismatchException m) { throw Invalid($"type mismatch in export `{e.Name.Name}`: {m.Message}"); }
                // The export has the ascribed type: a (sub resource) ascription makes the export a resource of its own.
                desc = expected;
                uses = ascribedUses;
            }
            CheckAnnotated(e.Name.Name, desc, _scope.ExportedNames);
            if (e.Item.Sort == Sort.Instance && Get<InstanceEntry>(Sort.Instance, e.Item.Index).Origin == Origin.Defined && desc is InstanceDesc exported)
                CheckInstanceExport(exported.Type);
            // A type's own entry is renamed by its export; what it refers to must already be named.
            var check = e.Item.Sort == Sort.Type ? uses.Where(s => s != Slot(e.Item.Index)).ToHashSet() : new HashSet<TypeSlot>(uses);
            CheckExported(desc, check);
            _scope.Exports.Add((e.Name.Name, desc));
            if (desc is TypeDesc { Type: ResourceType xr }) _scope.ExportedNames[e.Name.Name] = xr;
            Add(desc, Origin.Exported, check);
        }

        /// <summary>An instance made here (instantiated, or a bag of exports) is exported: the records, variants,
        /// enums, flags and resources its functions use must be exported by the instance itself or have a name in
        /// this component. (Types compare by structure here: an instance's types carry no entry of this scope.)</summary>
        private void CheckInstanceExport(InstanceTypeInfo instance)
        {
            var own = instance.Exports.Select(e => e.Desc).OfType<TypeDesc>().Select(t => t.Type).ToHashSet();
            var named = _scope[Sort.Type].Cast<TypeSlot>().Where(s => s.Origin != Origin.Defined).Select(s => s.Type).ToHashSet();
            foreach (var (_, desc) in instance.Exports)
            {
                if (desc is not FuncDesc f) continue;
                foreach (var t in f.Type.Parameters.Select(p => p.Type).Append(f.Type.Result))
                {
                    if (t is null) continue;
                    Contains(t, u =>
                    {
                        object? needs = u switch
                        {
                            OwnType o => o.Resource,
                            BorrowType b => b.Resource,
                            _ when NeedsName(u) => u,
                            _ => null,
                        };
                        if (needs is not null && !own.Contains(needs) && !named.Contains(needs))
                            throw Invalid("instance not valid to be used as export: its functions use a type without a name here");
                        return false;
                    });
                }
            }
        }

        /// <summary>An import or export of <c>(type (eq $t))</c> names <c>$t</c> itself: only what <c>$t</c> refers to
        /// must already have a name.</summary>
        private HashSet<TypeSlot> Renamed(ExternType type, HashSet<TypeSlot> uses)
        {
            if (type is not TypeExtern { Equal: uint eq }) return uses;
            var slot = Slot(eq);
            return uses.Where(s => s != slot).ToHashSet();
        }

        private static void CheckExported(ExternDesc desc, IEnumerable<TypeSlot> uses)
        {
            foreach (var slot in uses)
                if (slot.Origin == Origin.Defined)
                    throw Invalid($"{TypeMatching.Kind(desc)} not valid to be used as export: it names a type that is neither imported nor exported");
        }

        /// <summary>An import or export name: a plain or interface name, its attributes once each, and
        /// <c>implements</c> only on an instance under a plain name, naming an interface.</summary>
        private static void CheckName(ExternName name, ExternDesc desc)
        {
            if (name.RepeatedAttribute is { } repeated) throw Invalid($"duplicate '{repeated}' option in name");
            if (!ComponentNames.IsExternName(name.Name))
                throw Invalid(name.Name.Length == 0 || !name.Name.Contains(':') ? $"`{name.Name}` is not in kebab case" : $"`{name.Name}` is not a valid extern name");
            if (name.Implements is not { } implements) return;
            if (desc is not InstanceDesc) throw Invalid("only instances can have an `implements`");
            if (!ComponentNames.IsPlainName(name.Name)) throw Invalid($"name `{name.Name}` is not valid with `implements`");
            if (implements.Length == 0) throw Invalid("`` is not a valid name");
            if (!ComponentNames.IsInterfaceName(implements)) throw Invalid($"`{implements}` must be an interface name");
        }

        /// <summary>The rules of annotated names: <c>[constructor]r</c>, <c>[method]r.m</c> and <c>[static]r.s</c>
        /// are functions of a resource <c>r</c> named earlier in the scope, constructors return it, methods take it
        /// first as <c>self</c>; <c>implements</c> is for instances under plain names.</summary>
        private static void CheckAnnotated(string name, ExternDesc desc, Dictionary<string, ResourceType> names, HashSet<ResourceType>? known = null)
        {
            if (name.Length == 0 || name[0] != '[') return;
            if (desc is not FuncDesc f) throw Invalid($"`{name}` may only name a function");
            int close = name.IndexOf(']');
            string annotation = name[1..close], rest = name[(close + 1)..];
            int dot = rest.IndexOf('.');
            string label = dot < 0 ? rest : rest[..dot];
            if (!names.TryGetValue(label, out var resource))
                throw Invalid(annotation == "static" ? "static resource name is not known in this context" : $"resource `{label}` is not known in this context");
            known ??= names.Values.ToHashSet();
            foreach (var used in Resources(f.Type))
                if (!known.Contains(used)) throw Invalid("resource used in function does not have a name in this context");
            switch (annotation)
            {
                case "constructor":
                    var made = f.Type.Result switch { OwnType o => o.Resource, ResultType { Ok: OwnType o } => o.Resource, _ => null };
                    if (made is null) throw Invalid("function should return `(own $T)` or `(result (own $T))`");
                    if (made != resource) throw Invalid($"function does not match expected resource name `{NameOf(made, names)}`");
                    break;
                case "method":
                    if (f.Type.Parameters.Count == 0) throw Invalid("should have at least one argument");
                    if (f.Type.Parameters[0].Label != "self") throw Invalid("should have a first argument called `self`");
                    if (f.Type.Parameters[0].Type is not BorrowType self) throw Invalid("should take a first argument of `(borrow $T)`");
                    if (self.Resource != resource) throw Invalid($"function does not match expected resource name `{NameOf(self.Resource, names)}`");
                    break;
            }

            static string NameOf(ResourceType r, Dictionary<string, ResourceType> names) =>
                names.FirstOrDefault(n => n.Value == r).Key ?? r.Name;
        }

        /// <summary>The resources a function's signature holds handles to.</summary>
        private static HashSet<ResourceType> Resources(ComponentFunctionType f)
        {
            var found = new HashSet<ResourceType>();
            foreach (var t in f.Parameters.Select(p => p.Type).Append(f.Result))
                if (t is not null) Contains(t, u =>
                {
                    if (u is OwnType o) found.Add(o.Resource);
                    if (u is BorrowType b) found.Add(b.Resource);
                    return false;
                });
            return found;
        }

        // ---- canon ----

        private void Canon(Canon canon)
        {
            switch (canon)
            {
                case CanonLift l:
                {
                    var core = Get<FunctionType>(Sort.CoreFunc, l.CoreFunc);
                    var slot = Slot(l.Type);
                    if (slot.Type is not ComponentFunctionType type) throw Invalid($"type index {l.Type} is not a function type");
                    Options(l.Options, type, FlatContext.Lift);
                    var (parameters, results) = CanonicalLayout.FlattenFunction(type, FlatContext.Lift, isAsync: l.Options.Async, callback: l.Options.Callback is not null);
                    var expected = new FunctionType(parameters, results);
                    if (!core.Equals(expected)) throw Invalid($"lowered function type mismatch: the core function has type {core}, the lift needs {expected}");
                    if (l.Options.PostReturn is uint pr && !Get<FunctionType>(Sort.CoreFunc, pr).Equals(new FunctionType(results, [])))
                        throw Invalid("post-return function type mismatch");
                    if (l.Options.Callback is uint cb && !Get<FunctionType>(Sort.CoreFunc, cb).Equals(
                            new FunctionType([ValueType.I32, ValueType.I32, ValueType.I32], [ValueType.I32])))
                        throw Invalid("callback function type mismatch");
                    _scope[Sort.Func].Add(new FuncEntry(type, slot.Uses));
                    break;
                }
                case CanonLower l:
                {
                    var callee = Get<FuncEntry>(Sort.Func, l.Func);
                    Options(l.Options, callee.Type, FlatContext.Lower);
                    var (parameters, results) = CanonicalLayout.FlattenFunction(callee.Type, FlatContext.Lower, isAsync: l.Options.Async);
                    _scope[Sort.CoreFunc].Add(new FunctionType(parameters, results));
                    break;
                }
                case CanonResource r:
                {
                    var slot = Slot(r.Type);
                    if (slot.Type is not ResourceType resource) throw Invalid($"type index {r.Type} is not a resource type");
                    if (r.Builtin != ResourceBuiltin.Drop && !_scope.Local.Contains(resource)) throw Invalid("not a local resource");
                    _scope[Sort.CoreFunc].Add(r.Builtin == ResourceBuiltin.Drop
                        ? new FunctionType([ValueType.I32], [])
                        : new FunctionType([ValueType.I32], [ValueType.I32]));
                    break;
                }
                case CanonOther o:
                    _scope[Sort.CoreFunc].Add(Builtins.Signature(o, r => r is { } t ? ValueRef(t, []) : null)
                        ?? throw Invalid($"`canon {o.Name}` (shared-everything threads) is not supported"));
                    break;
            }
        }

        private void Options(CanonOptionsDef o, ComponentFunctionType type, FlatContext context)
        {
            if (o.Conflict is { } conflict) throw Invalid(conflict);
            if (o.Async && !type.IsAsync) throw Invalid("the `async` canonical option requires an async function type");
            if (o.Memory is uint m) Get<MemoryType>(Sort.CoreMemory, m);
            if (o.Realloc is uint r && !Get<FunctionType>(Sort.CoreFunc, r).Equals(new FunctionType(
                    [ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I32], [ValueType.I32])))
                throw Invalid("canonical option `realloc` uses a core function with an incorrect signature");
            if (o.PostReturn is not null && (context == FlatContext.Lower || o.Async))
                throw Invalid("canonical option `post-return` cannot be used here");
            if (o.Callback is not null && (!o.Async || context == FlatContext.Lower)) throw Invalid("canonical option `callback` requires `async` in a lift");
            var types = type.Parameters.Select(f => f.Type).Concat(type.Result is null ? [] : [type.Result]).ToArray();
            // An async lift returns through task.return; an async lower always writes its result to memory.
            bool resultSpills = type.Result is not null && (o.Async
                ? context == FlatContext.Lower
                : Spills([type.Result], CanonicalLayout.MaxFlatResults));
            bool spills = Spills(type.Parameters.Select(f => f.Type), o.Async && context == FlatContext.Lower ? CanonicalLayout.MaxFlatAsyncParams : CanonicalLayout.MaxFlatParams)
                          || resultSpills;
            if (o.Memory is null && (types.Any(Builtins.NeedsMemory) || spills)) throw Invalid("canonical option `memory` is required");
            bool allocates = context == FlatContext.Lift
                ? type.Parameters.Any(f => Builtins.NeedsMemory(f.Type)) || Spills(type.Parameters.Select(f => f.Type), CanonicalLayout.MaxFlatParams)
                : type.Result is { } res && Builtins.NeedsMemory(res);
            if (o.Realloc is null && allocates) throw Invalid("canonical option `realloc` is required");
        }

        private static bool Spills(IEnumerable<ComponentValueType> types, int max) => types.Sum(t => CanonicalLayout.Flatten(t).Count) > max;
    }
}
