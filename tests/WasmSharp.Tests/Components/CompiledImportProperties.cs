using System.Linq.Expressions;
using FsCheck;
using FsCheck.Fluent;
using WasmSharp.Components;
using WasmSharp.Components.Compiled;

namespace WasmSharp.Tests.Components;

/// <summary>The compiled glue of <c>canon lower</c> for typed host functions (<see cref="CompiledImport"/>) against
/// the reference lower (the core arguments lifted by <see cref="CanonicalAbi.LiftFlatValues"/>, the result lowered by
/// <see cref="CanonicalAbi.LowerFlatValues"/>, flat or at the out-pointer), on random types, .NET types and values:
/// the same .NET values lifted from the caller's core values and memory, the same flat results, memory writes and
/// realloc calls for the result; and on corrupted core values and memory, the same traps with the same messages. In
/// every string encoding and address type, arguments flat and spilled, results flat and at the out-pointer.</summary>
public class CompiledImportProperties
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(100);

    /// <summary>The host function under test: records the .NET values it is called with, returns a given one.</summary>
    private sealed class Recorder(object? result)
    {
        public object?[]? Args { get; private set; }

        public object? Record(object?[] args)
        {
            Args = args;
            return result;
        }

        /// <summary>A delegate of the .NET types <paramref name="parameters"/> → <paramref name="returns"/> (null:
        /// an Action) that records and returns.</summary>
        public Delegate Delegate(Type[] parameters, Type? returns)
        {
            var ps = parameters.Select(Expression.Parameter).ToArray();
            Expression call = Expression.Call(Expression.Constant(this), typeof(Recorder).GetMethod(nameof(Record))!,
                Expression.NewArrayInit(typeof(object), ps.Select(p => Expression.Convert(p, typeof(object)))));
            Expression body = returns is null ? Expression.Block(typeof(void), call) : Expression.Convert(call, returns);
            return Expression.Lambda(Expression.GetDelegateType([.. parameters, returns ?? typeof(void)]), body, ps).Compile();
        }
    }

    /// <summary>What one lowered call came to: the trap's message, or the values lifted and the flat results; and
    /// the memory and realloc calls either way.</summary>
    private sealed record Outcome(string? Trap, ComponentValue[]? Lifted, ulong[]? Results, byte[] Memory,
        List<(ulong, ulong, ulong, ulong)> Reallocs);

    /// <summary>The callee's side of a call: <paramref name="image"/> copied, and an allocator past what the caller
    /// used (<paramref name="used"/>).</summary>
    private static (CanonicalOptions, byte[], BumpAllocator) Callee(byte[] image, ulong used, StringEncoding encoding, ValueType pointer)
    {
        var memory = (byte[])image.Clone();
        var allocator = new BumpAllocator(memory, used + 64);
        return (new CanonicalOptions(() => memory, encoding, pointer, allocator.Realloc), memory, allocator);
    }

    private static Outcome Run(Func<CanonicalOptions, (ComponentValue[]?, ulong[]?)> call, byte[] image, ulong used, StringEncoding encoding,
        ValueType pointer)
    {
        var (options, memory, allocator) = Callee(image, used, encoding, pointer);
        try
        {
            var (lifted, results) = call(options);
            return new Outcome(null, lifted, results, memory, allocator.Calls);
        }
        catch (TrapException e)
        {
            Assert.Equal(TrapCode.CanonicalAbi, e.Code);
            return new Outcome(e.Message, null, null, memory, allocator.Calls);
        }
    }

    private static void AssertSame(Outcome want, Outcome got)
    {
        Assert.Equal(want.Trap, got.Trap);
        if (want.Lifted is not null) Assert.Equal(want.Lifted, got.Lifted!);
        if (want.Results is not null) Assert.Equal(want.Results, got.Results!);
        Assert.Equal(want.Reallocs, got.Reallocs);
        Assert.True(want.Memory.AsSpan().SequenceEqual(got.Memory), "the memory images differ");
    }

    [Fact]
    public void CompiledLowerMatchesTheReference()
    {
        int spilled = 0, outPointers = 0, flatResults = 0, traps = 0;
        Check.One(Runs, Prop.ForAll(Arb.From(Gen.Zip(Gen.Zip(TypedGenerators.TypedValue, TypedGenerators.TypedValue),
            Gen.Zip(Gen.Elements(true, true, true, false), Gen.ArrayOf(Gen.Choose(0, int.MaxValue), 4)))), input =>
        {
            var ((x, y), (returns, noise)) = input;
            var parameterMapping = TypeMapping.Create(x.Type, x.Net);
            TypeMapping[] parameters = [parameterMapping, parameterMapping];
            ComponentValueType[] parameterTypes = [x.Type, x.Type];
            var resultMapping = returns ? TypeMapping.Create(y.Type, y.Net) : null;
            ComponentValueType[] resultTypes = returns ? [y.Type] : [];
            ComponentValue[] resultValues = returns ? [y.Value] : [];
            bool outPointer = returns && CanonicalLayout.Flatten(y.Type).Count > CanonicalLayout.MaxFlatResults;
            foreach (var pointer in new[] { ValueType.I32, ValueType.I64 })
            {
                var recorder = new Recorder(resultMapping?.FromComponent(y.Value));
                var target = recorder.Delegate([x.Net, x.Net], resultMapping?.NetType);
                var glue = CompiledImport.Compile(parameters, resultMapping, target.GetType(), pointer).Compile();
                foreach (var encoding in Enum.GetValues<StringEncoding>())
                {
                    // The caller: its arguments lowered into its memory and core values, and a place for a spilled result.
                    var image = new byte[1 << 18];
                    var caller = new BumpAllocator(image);
                    var callerOptions = new CanonicalOptions(() => image, encoding, pointer, caller.Realloc);
                    var args = CanonicalAbi.LowerFlatValues(callerOptions, CanonicalLayout.MaxFlatParams, [x.Value, x.Value], parameterTypes);
                    ulong[] flat = outPointer
                        ? [.. args, caller.Realloc(0, 0, (ulong)CanonicalLayout.Alignment(y.Type, pointer), (ulong)CanonicalLayout.Size(y.Type, pointer))]
                        : args;
                    ulong used = caller.Calls.Aggregate(1024UL, (sum, c) => sum + c.NewSize + c.Alignment);
                    int resultCount = outPointer || !returns ? 0 : CanonicalLayout.Flatten(y.Type).Count;

                    (ComponentValue[]?, ulong[]?) Reference(CanonicalOptions o, ulong[] core)
                    {
                        var lifted = CanonicalAbi.LiftFlatValues(o, CanonicalLayout.MaxFlatParams, core.AsSpan(0, args.Length), parameterTypes);
                        ulong? at = outPointer ? (pointer == ValueType.I32 ? (uint)core[^1] : core[^1]) : null;
                        return (lifted, CanonicalAbi.LowerFlatValues(o, CanonicalLayout.MaxFlatResults, resultValues, resultTypes, at));
                    }

                    (ComponentValue[]?, ulong[]?) Compiled(CanonicalOptions o, ulong[] core)
                    {
                        var slots = new ulong[Math.Max(core.Length, resultCount)];
                        core.CopyTo(slots, 0);
                        glue(o, slots, target);
                        var lifted = recorder.Args!.Select(a => parameterMapping.ToComponent(a)).ToArray();
                        return (lifted, slots[..resultCount]);
                    }

                    var want = Run(o => Reference(o, flat), image, used, encoding, pointer);
                    Assert.Null(want.Trap);
                    Assert.Equal([x.Value, x.Value], want.Lifted!);
                    AssertSame(want, Run(o => Compiled(o, flat), image, used, encoding, pointer));

                    // Corrupted core values (the out-pointer among them) and caller memory: the same values or the same trap.
                    var random = new Random(noise[(int)encoding]);
                    var bad = (ulong[])flat.Clone();
                    for (int k = 0; k < 2 && bad.Length > 0; k++)
                        bad[random.Next(bad.Length)] ^= random.Next(3) switch { 0 => 1UL << random.Next(64), 1 => (ulong)random.Next(1 << 20), _ => 0xFFFF_FFFF };
                    var corrupted = (byte[])image.Clone();
                    for (int k = 0; k < 4 && used > 1024; k++) corrupted[1024 + random.Next((int)(used - 1024))] ^= (byte)(1 << random.Next(8));
                    recorder = new Recorder(resultMapping?.FromComponent(y.Value));
                    target = recorder.Delegate([x.Net, x.Net], resultMapping?.NetType);
                    var trapped = Run(o => Reference(o, bad), corrupted, used, encoding, pointer);
                    AssertSame(trapped, Run(o => Compiled(o, bad), corrupted, used, encoding, pointer));
                    if (trapped.Trap is not null) traps++;
                }
            }
            if (CanonicalLayout.Flatten(x.Type).Count * 2 > CanonicalLayout.MaxFlatParams) spilled++;
            if (outPointer) outPointers++;
            else if (returns) flatResults++;
        }));
        // Every shape of call was met.
        Assert.True(spilled > 0 && outPointers > 0 && flatResults > 0 && traps > 0, $"{spilled} {outPointers} {flatResults} {traps}");
    }
}
