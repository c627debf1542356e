using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using WasmSharp.Components;
using WasmSharp.Components.Compiled;
using P = WasmSharp.Components.PrimitiveType;

namespace WasmSharp.Tests.Components;

/// <summary>The records the generated types use: <c>record { f0, f1, f2 }</c> (ComponentGenerators makes three fields).</summary>
public sealed record TestRecord<T0, T1, T2>(T0 F0, T1 F1, T2 F2);

/// <summary>The variants the generated types use: <c>variant { c0(T0), c1, c2(T1) }</c>.</summary>
public abstract record TestVariant<T0, T1>
{
    public sealed record C0(T0 Value) : TestVariant<T0, T1>;
    public sealed record C1 : TestVariant<T0, T1>;
    public sealed record C2(T1 Value) : TestVariant<T0, T1>;
}

/// <summary>Random component types paired with .NET types they map to: ComponentGenerators' leaves (enums and
/// flags get C# enums made at run time, positional and not), and lists, fixed lists, maps, records, tuples, variants,
/// options and results over them.</summary>
public static class TypedGenerators
{
    private static readonly ModuleBuilder Enums =
        AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("TypedTestEnums"), AssemblyBuilderAccess.Run).DefineDynamicModule("TypedTestEnums");
    private static readonly ConcurrentDictionary<string, Type> Made = new();

    /// <summary>A C# enum with members <paramref name="names"/> of values <paramref name="values"/>.</summary>
    private static Type Enum(string name, string[] names, ulong[] values, bool flags) => Made.GetOrAdd(name, _ =>
    {
        lock (Enums)
        {
            var e = Enums.DefineEnum(name, TypeAttributes.Public, typeof(ulong));
            if (flags) e.SetCustomAttribute(new CustomAttributeBuilder(typeof(FlagsAttribute).GetConstructor(Type.EmptyTypes)!, []));
            for (int i = 0; i < names.Length; i++) e.DefineLiteral(names[i], values[i]);
            return e.CreateType();
        }
    });

    private static (ComponentValueType, Type) EnumPair(EnumType t, bool shuffled)
    {
        var names = t.Labels.Select(l => char.ToUpperInvariant(l[0]) + l[1..]).ToArray();
        var values = names.Select((_, i) => shuffled ? (ulong)(names.Length - 1 - i) * 3 + 5 : (ulong)i).ToArray();
        return (t, Enum($"Enum{names[0]}{names.Length}{(shuffled ? "s" : "")}", names, values, false));
    }

    private static (ComponentValueType, Type) FlagsPair(FlagsType t, bool shuffled)
    {
        var names = t.Labels.Select(l => char.ToUpperInvariant(l[0]) + l[1..]).ToArray();
        var values = names.Select((_, i) => 1UL << (shuffled ? 40 - i : i)).ToArray();
        return (t, Enum($"Flags{names.Length}{(shuffled ? "s" : "")}", names, values, true));
    }

    private static Type Natural(Primitive p) => p switch
    {
        Primitive.Bool => typeof(bool), Primitive.S8 => typeof(sbyte), Primitive.U8 => typeof(byte), Primitive.S16 => typeof(short),
        Primitive.U16 => typeof(ushort), Primitive.S32 => typeof(int), Primitive.U32 => typeof(uint), Primitive.S64 => typeof(long),
        Primitive.U64 => typeof(ulong), Primitive.F32 => typeof(float), Primitive.F64 => typeof(double), Primitive.Char => typeof(Rune),
        _ => typeof(string),
    };

    private static Type Nullable(Type t) => t.IsValueType ? typeof(Nullable<>).MakeGenericType(t) : t;

    public static Gen<(ComponentValueType Type, Type Net)> Pair(int size)
    {
        Gen<(ComponentValueType Type, Type Net)> leaf = Gen.Zip(ComponentGenerators.Type(0), Gen.Elements(false, true)).Select(x => x.Item1 switch
        {
            PrimitiveType p => (x.Item1, Natural(p.Kind)),
            EnumType e => EnumPair(e, x.Item2),
            FlagsType f => FlagsPair(f, x.Item2),
            var other => throw new InvalidOperationException($"no leaf {other}"),
        });
        if (size <= 0) return leaf;
        var inner = Pair(size / 2);
        var maybe = Gen.Frequency((1, Gen.Constant<(ComponentValueType Type, Type Net)?>(null)), (3, inner.Select(x => ((ComponentValueType Type, Type Net)?)x)));
        return Gen.Frequency(
            (4, leaf),
            (1, inner.Select(x => ((ComponentValueType)new ListType(x.Type), x.Net.MakeArrayType()))),
            (1, Gen.Zip(inner, Gen.Choose(1, 4)).Select(x => ((ComponentValueType)new ListType(x.Item1.Type, (uint)x.Item2), x.Item1.Net.MakeArrayType()))),
            (1, Gen.Zip(Gen.Elements<ComponentValueType>(P.String, P.U32, P.S8), inner).Select(x =>
                ((ComponentValueType)new MapType(x.Item1, x.Item2.Type), typeof(ValueTuple<,>).MakeGenericType(Natural(((P)x.Item1).Kind), x.Item2.Net).MakeArrayType()))),
            (1, Gen.ArrayOf(inner, 3).Select(xs => ((ComponentValueType)new RecordType(xs.Select((x, i) => new Field("f" + i, x.Type)).ToArray()),
                typeof(TestRecord<,,>).MakeGenericType(xs.Select(x => x.Net).ToArray())))),
            (1, Gen.Choose(1, 9).SelectMany(n => Gen.ArrayOf(inner, n)).Select(xs => ((ComponentValueType)new TupleType(xs.Select(x => x.Type).ToArray()),
                ValueTuples.Of(xs.Select(x => x.Net).ToArray())))),
            (1, Gen.Zip(inner, inner).Select(x => ((ComponentValueType)new VariantType(new[] { new Case("c0", x.Item1.Type), new Case("c1"), new Case("c2", x.Item2.Type) }),
                typeof(TestVariant<,>).MakeGenericType(x.Item1.Net, x.Item2.Net)))),
            (1, inner.Where(x => x.Type is not OptionType).Select(x => ((ComponentValueType)new OptionType(x.Type), Nullable(x.Net)))),
            (1, Gen.Zip(maybe, maybe).Select(x => ((ComponentValueType)new ResultType(x.Item1?.Type, x.Item2?.Type),
                typeof(Result<,>).MakeGenericType(x.Item1?.Net ?? typeof(Unit), x.Item2?.Net ?? typeof(Unit))))));
    }

    /// <summary>A type, its .NET type, and a value of it.</summary>
    public static Gen<(ComponentValueType Type, Type Net, ComponentValue Value)> TypedValue =>
        Gen.Sized(size => Pair(Math.Min(size, 12))).SelectMany(x => ComponentGenerators.Value(x.Type).Select(v => (x.Type, x.Net, v)));
}

/// <summary>The compiled Canonical ABI against the reference, on random types, .NET types and values: the same core
/// values, memory writes and realloc calls when lowering; the same values when lifting; the same traps, with the same
/// messages, when lifting corrupted core values and memory; in every string encoding and address type, flat and spilled.</summary>
public class CompiledAbiProperties
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(150);

    private static IEnumerable<(StringEncoding, ValueType)> Settings() =>
        from e in Enum.GetValues<StringEncoding>() from p in new[] { ValueType.I32, ValueType.I64 } select (e, p);

    private static (CanonicalOptions Options, BumpAllocator Allocator) Options(byte[] memory, StringEncoding encoding, ValueType pointer)
    {
        var allocator = new BumpAllocator(memory);
        return (new CanonicalOptions(() => memory, encoding, pointer, allocator.Realloc), allocator);
    }

    private static object? Call(Delegate f, params object?[] args)
    {
        try
        {
            return f.DynamicInvoke(args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    /// <summary>What running <paramref name="f"/> came to: its value, or the trap's message.</summary>
    private static (ComponentValue[]? Values, string? Trap) Outcome(Func<ComponentValue[]> f)
    {
        try
        {
            return (f(), null);
        }
        catch (TrapException e)
        {
            Assert.Equal(TrapCode.CanonicalAbi, e.Code);
            return (null, e.Message);
        }
    }

    [Fact]
    public void ReferenceConversionRoundTrips() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Arb.From(TypedGenerators.TypedValue), x =>
        {
            var mapping = TypeMapping.Create(x.Type, x.Net);
            var net = mapping.FromComponent(x.Value);
            Assert.True(net is null || x.Net.IsInstanceOfType(net) || System.Nullable.GetUnderlyingType(x.Net)?.IsInstanceOfType(net) == true);
            Assert.Equal(x.Value, mapping.ToComponent(net));
        }));

    [Fact]
    public void CompiledMatchesTheReference() =>
        Check.One(Runs, Prop.ForAll(Arb.From(Gen.Zip(TypedGenerators.TypedValue, Gen.ArrayOf(Gen.Choose(0, int.MaxValue), 8))), input =>
        {
            var (x, noise) = input;
            var mapping = TypeMapping.Create(x.Type, x.Net);
            var net = mapping.FromComponent(x.Value);
            TypeMapping[] mappings = [mapping, mapping];
            ComponentValueType[] types = [x.Type, x.Type];
            var args = ValueTuples.Create(ThunkCompiler.ArgumentsType(mappings), [net, net]);
            foreach (var (encoding, pointer) in Settings())
            foreach (int maxFlat in new[] { int.MaxValue, CanonicalLayout.MaxFlatResults })
            {
                // lowering: the same core values, memory and realloc calls
                byte[] referenceMemory = new byte[1 << 18], compiledMemory = new byte[1 << 18];
                var (reference, referenceAllocator) = Options(referenceMemory, encoding, pointer);
                var (compiled, compiledAllocator) = Options(compiledMemory, encoding, pointer);
                var expected = CanonicalAbi.LowerFlatValues(reference, maxFlat, [x.Value, x.Value], types);
                var lower = ThunkCompiler.Lower(mappings, pointer, maxFlat).Compile();
                var actual = (ulong[])Call(lower, compiled, args, new ulong[expected.Length])!;
                Assert.Equal(expected, actual);
                Assert.Equal(referenceAllocator.Calls, compiledAllocator.Calls);
                Assert.True(referenceMemory.AsSpan().SequenceEqual(compiledMemory), "the memory images differ");

                // lifting: the same values
                var lift = ThunkCompiler.Lift(mappings, pointer, maxFlat).Compile();
                ComponentValue[] LiftCompiled(ulong[] flat) =>
                    ((ITuple)Call(lift, reference, flat)!) is var t ? [mapping.ToComponent(t[0]), mapping.ToComponent(t[1])] : [];
                Assert.Equal([x.Value, x.Value], LiftCompiled(expected));

                // corrupted core values and memory: the same values or the same trap
                var random = new Random(noise[0]);
                var flat = (ulong[])expected.Clone();
                for (int k = 0; k < 2 && flat.Length > 0; k++)
                    flat[random.Next(flat.Length)] ^= random.Next(3) switch { 0 => 1UL << random.Next(64), 1 => (ulong)random.Next(1 << 20), _ => 0xFFFF_FFFF };
                for (int k = 0; k < 4 && referenceAllocator.Calls.Count > 0; k++)
                {
                    int used = (int)Math.Max(referenceAllocator.Calls.Max(c => c.NewSize), 1);
                    referenceMemory[1024 + random.Next(Math.Min(4 * used + 64, referenceMemory.Length - 1024))] ^= (byte)(1 << random.Next(8));
                }
                var want = Outcome(() => CanonicalAbi.LiftFlatValues(reference, maxFlat, flat, types));
                var got = Outcome(() => LiftCompiled(flat));
                Assert.Equal(want.Trap, got.Trap);
                if (want.Values is not null) Assert.Equal(want.Values, got.Values!);

                // in host slots (two words a value, as the plain compiled call stages them): the same flat values
                // in every other word, and lifted from there (the other words noise) the same values or trap
                byte[] slotMemory = new byte[1 << 18];
                var (slotOptions, slotAllocator) = Options(slotMemory, encoding, pointer);
                var lowerSlots = ThunkCompiler.Lower(mappings, pointer, maxFlat, HostSlots.Words).Compile();
                var slots = (ulong[])Call(lowerSlots, slotOptions, args, new ulong[expected.Length * HostSlots.Words])!;
                Assert.Equal(expected, slots.Where((_, k) => k % HostSlots.Words == 0));
                Assert.Equal(compiledAllocator.Calls, slotAllocator.Calls);
                Assert.True(compiledMemory.AsSpan().SequenceEqual(slotMemory), "the memory images differ (host slots)");
                var liftSlots = ThunkCompiler.Lift(mappings, pointer, maxFlat, HostSlots.Words).Compile();
                var noisy = new ulong[flat.Length * HostSlots.Words];
                for (int k = 0; k < noisy.Length; k++) noisy[k] = k % HostSlots.Words == 0 ? flat[k / HostSlots.Words] : (ulong)random.NextInt64();
                var gotSlots = Outcome(() => ((ITuple)Call(liftSlots, reference, noisy)!) is var t ? [mapping.ToComponent(t[0]), mapping.ToComponent(t[1])] : []);
                Assert.Equal(want.Trap, gotSlots.Trap);
                if (want.Values is not null) Assert.Equal(want.Values, gotSlots.Values!);
            }
        }));

    /// <summary>
    /// Whole typed calls, the compiled glue on both sides of a core function that echoes its second argument through
    /// the reference (its core values lifted by <see cref="CanonicalAbi.LiftFlatValues"/>, the one it returns lowered
    /// by <see cref="CanonicalAbi.LowerFlatValues"/>, in memory past one flat result): a random type's .NET value
    /// comes back equal, and equal to the reference path's call of the same function, on the plain compiled call (the
    /// glue lowering into and lifting from host slots) and through the call protocol (an instance that keeps its
    /// running call); in every string encoding, the two arguments flat or spilled to memory.
    /// </summary>
    [Fact]
    public void WholeCallsAgreeWithTheReference() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), Prop.ForAll(Arb.From(TypedGenerators.TypedValue), x =>
        {
            var mapping = TypeMapping.Create(x.Type, x.Net);
            var net = mapping.FromComponent(x.Value);
            var type = new ComponentFunctionType(new[] { new Field("a", x.Type), new Field("b", x.Type) }, x.Type);
            var (flatParams, flatResults) = CanonicalLayout.FlattenFunction(type, FlatContext.Lift);
            var delegateType = typeof(Func<,,>).MakeGenericType(x.Net, x.Net, x.Net);
            foreach (var encoding in Enum.GetValues<StringEncoding>())
            foreach (bool plain in new[] { true, false })
            {
                var store = new Store();
                var exports = new Linker().Instantiate(store, Module.FromBytes(store.Engine, WasmSharp.Text.Wat.ToBinary($"(module {HostImportTests.Allocator})")));
                var options = new WasmSharp.Components.Runtime.ResolvedOptions(encoding, exports.GetMemory("mem"), exports.GetFunction("realloc"), null);
                var instance = new WasmSharp.Components.Runtime.InstanceState(null) { TracksCalls = !plain };
                var abi = options.For(instance, null);
                var echo = new HostFunction(store, new FunctionType(flatParams, flatResults), (HostSlots slots) =>
                {
                    var raw = new ulong[flatParams.Length];
                    for (int i = 0; i < raw.Length; i++) raw[i] = flatParams[i] is ValueType.I32 or ValueType.F32 ? (uint)slots.I64(i) : (ulong)slots.I64(i);
                    var args = CanonicalAbi.LiftFlatValues(abi, CanonicalLayout.MaxFlatParams, raw, [x.Type, x.Type]);
                    var flat = CanonicalAbi.LowerFlatValues(abi, CanonicalLayout.MaxFlatResults, [args[1]], [x.Type]);
                    // An i32 or f32 result with its slot's high half left dirty, as native code may leave it.
                    for (int i = 0; i < flat.Length; i++)
                        slots.SetI64(i, (long)(flatResults[i] is ValueType.I32 or ValueType.F32 ? flat[i] | 0xDEAD_BEEF_0000_0000 : flat[i]));
                });
                var lifted = new WasmSharp.Components.Runtime.LiftedFunction(type, echo, options, instance);
                var call = CompiledSignature.For(type, [mapping, mapping], mapping, delegateType, ValueType.I32).Bind(lifted);
                var back = Call(call, net, net);
                Assert.Equal(x.Value, mapping.ToComponent(back));
                Assert.Equal(x.Value, lifted.Invoke(x.Value, x.Value));
            }
        }));

    [Fact]
    public void SignaturesAreCompiledOnce()
    {
        var type = new ComponentFunctionType(new[] { new Field("s", P.String) }, P.U32);
        var mappings = new[] { TypeMapping.Create(P.String, typeof(string)) };
        var result = TypeMapping.Create(P.U32, typeof(uint));
        var first = CompiledSignature.For(type, mappings, result, typeof(Func<string, uint>), ValueType.I32);
        Assert.Same(first, CompiledSignature.For(type with { }, mappings, result, typeof(Func<string, uint>), ValueType.I32));
        Assert.NotSame(first, CompiledSignature.For(type, mappings, result, typeof(Func<string, uint>), ValueType.I64));
    }
}
