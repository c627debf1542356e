using WasmSharp.Binary;
using WasmSharp.Components.Binary;
using WasmSharp.Components.Validation;

namespace WasmSharp.Components.Runtime;

/// <summary>
/// Instantiates a decoded component (Explainer, "Instance Definitions"): walks its definitions in order, building
/// each index space with the run-time items (core modules compiled, core instances made, component functions lifted,
/// core functions lowered, types resolved, resource types made fresh per instance, nested components instantiated).
/// An index or type that does not fit is <see cref="InvalidModuleException"/> at the definition's offset; an import
/// not given is <see cref="LinkException"/>; traps in core code propagate.
/// </summary>
public sealed class Instantiator(Store store)
{
    public Store Store { get; } = store;

    /// <summary>Core modules compiled already (a <see cref="Component"/>'s); others are compiled as they come.</summary>
    internal IReadOnlyDictionary<CoreModuleDefinition, Module>? Modules { get; init; }

    /// <summary>Validates <paramref name="component"/> (<see cref="ComponentValidator"/>) and instantiates it with
    /// <paramref name="imports"/> by name.</summary>
    public ComponentInstance Instantiate(ComponentInfo component, IReadOnlyDictionary<string, ComponentItem>? imports = null)
    {
        ComponentValidator.Validate(component);
        return InstantiateValidated(component, imports ?? new Dictionary<string, ComponentItem>());
    }

    /// <summary>Instantiates a component validation has checked, its imports checked against its type
    /// (<see cref="ComponentLinker"/>).</summary>
    internal ComponentInstance InstantiateValidated(ComponentInfo component, IReadOnlyDictionary<string, ComponentItem> imports) =>
        Instantiate(new ComponentClosure(component, null), imports, parent: null);

    private ComponentInstance Instantiate(ComponentClosure closure, IReadOnlyDictionary<string, ComponentItem> imports, InstanceState? parent)
    {
        var scope = new Scope(closure.Outer);
        var state = new InstanceState(parent);
        var exports = new Dictionary<string, ComponentItem>();
        var run = new Run(this, scope, state, imports, exports);
        foreach (var definition in closure.Component.Definitions)
        {
            try
            {
                run.Define(definition);
            }
            catch (ComponentDefinitionException e)
            {
                throw new InvalidModuleException(e.Message, definition.Offset);
            }
        }
        return new ComponentInstance(exports, state);
    }

    /// <summary>A definition does not fit its component (an index out of bounds, a type of the wrong kind).</summary>
    private sealed class ComponentDefinitionException(string message) : Exception(message);

    private static ComponentDefinitionException Invalid(string message) => new(message);

    /// <summary>The instantiation of one component.</summary>
    private sealed class Run(Instantiator owner, Scope scope, InstanceState state,
        IReadOnlyDictionary<string, ComponentItem> imports, Dictionary<string, ComponentItem> exports)
    {
        private Store Store => owner.Store;

        public void Define(Definition definition)
        {
            switch (definition)
            {
                case CoreModuleDefinition m:
                    scope[Sort.CoreModule].Add(owner.Modules?.GetValueOrDefault(m) ?? Module.FromBytes(Store.Engine, m.Binary));
                    break;
                case CoreInstantiate c:
                    scope[Sort.CoreInstance].Add(InstantiateCore(Get<Module>(Sort.CoreModule, c.Module), c.Arguments));
                    break;
                case CoreInstanceFromExports c:
                {
                    var items = new Dictionary<string, object>();
                    foreach (var e in c.Exports)
                    {
                        if (!items.TryAdd(e.Name, Get<object>(e.Item.Sort, e.Item.Index)))
                            throw Invalid($"core instance export name `{e.Name}` conflicts with previous export name");
                    }
                    scope[Sort.CoreInstance].Add(items);
                    break;
                }
                case CoreTypeDefinition t:
                    scope[Sort.CoreType].Add(t.Type);
                    break;
                case NestedComponent n:
                    scope[Sort.Component].Add(new ComponentClosure(n.Component, scope));
                    break;
                case ComponentInstantiate c:
                {
                    var closure = Get<ComponentClosure>(Sort.Component, c.Component);
                    var args = new Dictionary<string, ComponentItem>();
                    foreach (var a in c.Arguments)
                    {
                        if (!args.TryAdd(a.Name, new ComponentItem(a.Item.Sort, Get<object>(a.Item.Sort, a.Item.Index))))
                            throw Invalid($"instantiation argument `{a.Name}` conflicts with previous argument");
                    }
                    scope[Sort.Instance].Add(owner.Instantiate(closure, args, state));
                    break;
                }
                case InstanceFromExports i:
                {
                    var items = new Dictionary<string, ComponentItem>();
                    foreach (var e in i.Exports)
                    {
                        if (!items.TryAdd(e.Name, new ComponentItem(e.Item.Sort, Get<object>(e.Item.Sort, e.Item.Index))))
                            throw Invalid($"instance export name `{e.Name}` conflicts with previous export name");
                    }
                    scope[Sort.Instance].Add(new ComponentInstance(items, null));
                    break;
                }
                case Alias a:
                    scope[a.Sort].Add(Resolve(a));
                    break;
                case TypeDefinition t:
                    scope[Sort.Type].Add(DefineType(t.Type));
                    break;
                case CanonDefinition c:
                    DefineCanon(c.Canon);
                    break;
                case StartDefinition:
                    throw Invalid("start definitions (component values) are not supported");
                case ImportDefinition i:
                {
                    if (!imports.TryGetValue(i.Name.Name, out var item))
                        throw new LinkException("missing import", $"the component imports `{i.Name}`, which was not given");
                    var sort = SortOf(i.Type);
                    if (item.Sort != sort)
                        throw new LinkException("incompatible import", $"`{i.Name}` is imported as a {sort.ToText()}, but a {item.Sort.ToText()} was given");
                    scope[sort].Add(item.Item);
                    break;
                }
                case ExportDefinition e:
                {
                    var item = Get<object>(e.Item.Sort, e.Item.Index);
                    if (e.Item.Sort.IsCore() && e.Item.Sort != Sort.CoreModule)
                        throw Invalid($"a component may not export a {e.Item.Sort.ToText()}");
                    if (!exports.TryAdd(e.Name.Name, new ComponentItem(e.Item.Sort, item)))
                        throw Invalid($"export name `{e.Name}` conflicts with previous name");
                    scope[e.Item.Sort].Add(item);
                    break;
                }
                default:
                    throw Invalid($"unknown definition {definition.GetType().Name}");
            }
        }

        private static Sort SortOf(ExternType t) => t switch
        {
            CoreModuleExtern => Sort.CoreModule,
            FuncExtern => Sort.Func,
            ValueExtern => Sort.Value,
            TypeExtern => Sort.Type,
            ComponentExtern => Sort.Component,
            _ => Sort.Instance,
        };

        /// <summary>Item <paramref name="index"/> of <paramref name="sort"/>'s space, which must be a <typeparamref name="T"/>.</summary>
        private T Get<T>(Sort sort, uint index) where T : class
        {
            var space = scope[sort];
            if (index >= (uint)space.Count) throw Invalid($"{sort.ToText()} index out of bounds: {index} (the space has {space.Count})");
            return space[(int)index] as T ?? throw Invalid($"{sort.ToText()} {index} is not a {typeof(T).Name}");
        }

        // ---- core instances ----

        private IReadOnlyDictionary<string, object> InstantiateCore(Module module, Items<CoreInstantiateArgument> arguments)
        {
            var args = new Dictionary<string, IReadOnlyDictionary<string, object>>();
            foreach (var a in arguments)
            {
                if (!args.TryAdd(a.Name, Get<IReadOnlyDictionary<string, object>>(Sort.CoreInstance, a.Instance)))
                    throw Invalid($"duplicate module instantiation argument named `{a.Name}`");
            }
            var imports = module.Info.Imports;
            var resolved = new object[imports.Count];
            for (int i = 0; i < resolved.Length; i++)
            {
                var import = imports[i];
                if (!args.TryGetValue(import.Module, out var instance))
                    throw Invalid($"missing module instantiation argument named `{import.Module}`");
                if (!instance.TryGetValue(import.Name, out var item))
                    throw Invalid($"module instantiation argument `{import.Module}` does not export an item named `{import.Name}`");
                try
                {
                    Instance.CheckImport(Store, module.Info, import, item);
                }
                catch (LinkException e)
                {
                    throw Invalid($"type mismatch for export `{import.Name}` of module instantiation argument `{import.Module}`: {e.Message}");
                }
                resolved[i] = item;
            }
            return Instance.Create(Store, module, resolved).Exports;
        }

        // ---- aliases ----

        private object Resolve(Alias a)
        {
            switch (a.Target)
            {
                case InstanceExportAlias e:
                {
                    var instance = Get<ComponentInstance>(Sort.Instance, e.Instance);
                    if (!instance.Exports.TryGetValue(e.Name, out var item)) throw Invalid($"instance {e.Instance} has no export named `{e.Name}`");
                    if (item.Sort != a.Sort) throw Invalid($"export `{e.Name}` of instance {e.Instance} is a {item.Sort.ToText()}, not a {a.Sort.ToText()}");
                    return item.Item;
                }
                case CoreInstanceExportAlias e:
                {
                    var instance = Get<IReadOnlyDictionary<string, object>>(Sort.CoreInstance, e.Instance);
                    if (!instance.TryGetValue(e.Name, out var item)) throw Invalid($"core instance {e.Instance} has no export named `{e.Name}`");
                    var sort = item switch
                    {
                        Function => Sort.CoreFunc,
                        Table => Sort.CoreTable,
                        Memory => Sort.CoreMemory,
                        Global => Sort.CoreGlobal,
                        Tag => Sort.CoreTag,
                        _ => throw Invalid($"export `{e.Name}` of core instance {e.Instance} has an unknown kind"),
                    };
                    if (sort != a.Sort) throw Invalid($"export `{e.Name}` of core instance {e.Instance} is a {sort.ToText()}, not a {a.Sort.ToText()}");
                    return item;
                }
                case OuterAlias o:
                {
                    var target = scope;
                    for (uint i = 0; i < o.Count; i++)
                        target = target.Outer ?? throw Invalid($"invalid outer alias count of {o.Count}");
                    var space = target[a.Sort];
                    if (o.Index >= (uint)space.Count) throw Invalid($"{a.Sort.ToText()} index out of bounds: {o.Index}");
                    return space[(int)o.Index];
                }
                default:
                    throw Invalid("unknown alias");
            }
        }

        // ---- types ----

        private object DefineType(DefinedType t)
        {
            switch (t)
            {
                case DefinedValueType v: return ValueType(v);
                case FuncTypeDef f: return FunctionType(f);
                case ResourceTypeDef r:
                {
                    if (r.Representation != WasmSharp.ValueType.I32) throw Invalid("resources can only be represented by `i32`");
                    Function? dtor = r.Destructor is uint d ? Get<Function>(Sort.CoreFunc, d) : null;
                    if (dtor is not null && !dtor.Type.Equals(new FunctionType([WasmSharp.ValueType.I32], [])))
                        throw Invalid("a resource destructor must have type [i32] -> []");
                    return new ResourceType($"resource {scope[Sort.Type].Count}")
                    {
                        Implementation = state,
                        Destructor = dtor is null ? null : rep => CoreCalls.Call(dtor, [rep]),
                    };
                }
                default:
                    // Component and instance types describe imports; instantiation checks the items given by sort.
                    return t;
            }
        }

        private ComponentFunctionType FunctionType(FuncTypeDef f)
        {
            var parameters = new Field[f.Parameters.Count];
            for (int i = 0; i < parameters.Length; i++) parameters[i] = new Field(f.Parameters[i].Label, Value(f.Parameters[i].Type));
            return new ComponentFunctionType(parameters, f.Result is { } r ? Value(r) : null, f.Async);
        }

        private ComponentValueType Value(ValTypeRef r) =>
            r.IsPrimitive ? PrimitiveType.Of(r.Primitive)
            : Get<object>(Sort.Type, r.Index) as ComponentValueType ?? throw Invalid($"type index {r.Index} is not a defined value type");

        private ComponentValueType? Value(ValTypeRef? r) => r is { } t ? Value(t) : null;

        private ResourceType Resource(uint index) =>
            Get<object>(Sort.Type, index) as ResourceType ?? throw Invalid($"type index {index} is not a resource type");

        private ComponentValueType ValueType(DefinedValueType v) => ValueTypeResolution.Resolve(v, Value, Resource);

        // ---- canon ----

        private void DefineCanon(Canon canon)
        {
            switch (canon)
            {
                case CanonLift l:
                {
                    var type = Get<object>(Sort.Type, l.Type) as ComponentFunctionType ?? throw Invalid($"type index {l.Type} is not a function type");
                    scope[Sort.Func].Add(new LiftedFunction(type, Get<Function>(Sort.CoreFunc, l.CoreFunc), Options(l.Options), state));
                    break;
                }
                case CanonLower l:
                    scope[Sort.CoreFunc].Add(Lowering.Lower(Store, Get<ComponentFunction>(Sort.Func, l.Func), Options(l.Options), state, $"lowered func {l.Func}"));
                    break;
                case CanonResource r:
                    scope[Sort.CoreFunc].Add(ResourceBuiltin(r));
                    break;
                case CanonOther o:
                    scope[Sort.CoreFunc].Add(Unsupported(o));
                    break;
            }
        }

        /// <summary>The canonical options' core items (validation has checked them).</summary>
        private ResolvedOptions Options(CanonOptionsDef o)
        {
            var memory = o.Memory is uint m ? Get<Memory>(Sort.CoreMemory, m) : null;
            var realloc = o.Realloc is uint r ? Get<Function>(Sort.CoreFunc, r) : null;
            var postReturn = o.PostReturn is uint p ? Get<Function>(Sort.CoreFunc, p) : null;
            return new ResolvedOptions(o.Encoding ?? StringEncoding.Utf8, memory, realloc, postReturn, o.Async, o.Callback is not null);
        }

        /// <summary>A built-in of the asynchronous ABI or threads, which WasmSharp does not run yet: a core function of
        /// the built-in's type that, like every such built-in, first traps if the instance may not call out now
        /// (during post-return), and otherwise throws <see cref="NotSupportedException"/> (no trap: the program is
        /// not at fault), which reaches the caller of the component as it is.</summary>
        private HostFunction Unsupported(CanonOther o)
        {
            var i32 = WasmSharp.ValueType.I32;
            var instance = state;
            switch (o.Name)
            {
                case "context.get" or "context.set" when o.Index >= 2:
                    throw Invalid($"`canon {o.Name}` slot {o.Index} does not exist (there are 2)");
                case "context.get":
                    instance.TracksCalls = true;
                    return new HostFunction(Store, new WasmSharp.FunctionType([], [i32]), (_, results) =>
                        results[0] = WasmSharp.Value.I32((int)Frame(instance, o.Name).Context[o.Index]), o.Name);
                case "context.set":
                    instance.TracksCalls = true;
                    return new HostFunction(Store, new WasmSharp.FunctionType([i32], []), (args, _) =>
                        Frame(instance, o.Name).Context[o.Index] = (uint)args[0].AsI32(), o.Name);
                case "backpressure.inc":
                    return new HostFunction(Store, WasmSharp.FunctionType.Empty, (_, _) =>
                    {
                        if (++instance.Backpressure >= 1 << 16) throw CanonicalAbi.Trap("backpressure counter overflow");
                    }, o.Name);
                case "backpressure.dec":
                    return new HostFunction(Store, WasmSharp.FunctionType.Empty, (_, _) =>
                    {
                        if (--instance.Backpressure < 0) throw CanonicalAbi.Trap("backpressure counter underflow");
                    }, o.Name);
                case "task.return":
                    return TaskReturn(o);
            }
            var type = Builtins.Signature(o, Value) ?? throw Invalid($"`canon {o.Name}` is not supported");
            return new HostFunction(Store, type, (_, _) =>
            {
                instance.CheckMayLeave();
                throw new NotSupportedException($"`canon {o.Name}` belongs to the asynchronous ABI or threads, which WasmSharp does not run yet");
            }, o.Name);
        }

        /// <summary>The call running in <paramref name="instance"/>, for a task built-in named <paramref name="name"/>.</summary>
        private static CallFrame Frame(InstanceState instance, string name) =>
            instance.Current ?? throw CanonicalAbi.Trap($"`canon {name}` called outside a call into its component");

        /// <summary><c>canon task.return</c>: lifts the result of the running <c>async</c> call from core values, with
        /// the checks of definitions.py (the call is async, its result type and options are the ones declared).</summary>
        private HostFunction TaskReturn(CanonOther o)
        {
            var result = Value(o.Result);
            ComponentValueType[] types = result is null ? [] : [result];
            var type = Builtins.Signature(o, Value) ?? throw Invalid($"`canon {o.Name}` is not supported");
            var options = Options(o.Options ?? CanonOptionsDef.None);
            var instance = state;
            instance.TracksCalls = true;
            return new HostFunction(Store, type, (args, _) =>
            {
                var frame = Frame(instance, o.Name);
                instance.CheckMayLeave();
                var function = frame.Function;
                if (!function.Options.IsAsync) throw CanonicalAbi.Trap("`canon task.return` called by a function not lifted `async`");
                if (!function.ResultTypes.SequenceEqual(types)) throw CanonicalAbi.Trap("`canon task.return` result type does not match the function's");
                // The lift options only (definitions.py, LiftOptions.equal): string encoding and memory; a realloc is
                // for lowering, which task.return does not do. A task.return without a memory (its result needs none:
                // validation) may return for a function whose own lift has one, for its parameters: the conformance
                // scripts (async/cross-abi-calls.wast, as Wasmtime runs them) expect that, where LiftOptions.equal
                // read literally would trap.
                if (options.Memory is not null && options.Memory != function.Options.Memory || options.Encoding != function.Options.Encoding)
                    throw CanonicalAbi.Trap("`canon task.return` options differ from the function's");
                if (frame.Returned) throw CanonicalAbi.Trap("`canon task.return` called twice");
                var raw = new ulong[args.Length];
                for (int i = 0; i < raw.Length; i++) raw[i] = args[i].Bits;
                var abi = options.For(instance, new ResourceScope(instance.Handles, instance, new CallTask()));
                var values = CanonicalAbi.LiftFlatValues(abi, CanonicalLayout.MaxFlatParams, raw, types);
                frame.Result = values.Length == 0 ? null : values[0];
                frame.Returned = true;
            }, o.Name);
        }

        /// <summary>resource.new, .drop or .rep of a resource type (validation has checked that new and rep name one
        /// this component defines).</summary>
        private HostFunction ResourceBuiltin(CanonResource r)
        {
            var resource = Resource(r.Type);
            var i32 = WasmSharp.ValueType.I32;
            var table = state.Handles;
            var instance = state;
            switch (r.Builtin)
            {
                case Binary.ResourceBuiltin.New:
                    return new HostFunction(Store, new FunctionType([i32], [i32]), (args, results) =>
                    {
                        instance.CheckMayLeave();
                        results[0] = WasmSharp.Value.I32((int)CanonicalResources.New(table, resource, (uint)args[0].AsI32()));
                    }, "resource.new");
                case Binary.ResourceBuiltin.Drop:
                    return new HostFunction(Store, new WasmSharp.FunctionType([i32], []), (args, _) =>
                    {
                        instance.CheckMayLeave();
                        CanonicalResources.Drop(table, resource, (uint)args[0].AsI32());
                    }, "resource.drop");
                default:
                    return new HostFunction(Store, new FunctionType([i32], [i32]), (args, results) =>
                        results[0] = WasmSharp.Value.I32((int)CanonicalResources.Rep(table, resource, (uint)args[0].AsI32())), "resource.rep");
            }
        }
    }
}
