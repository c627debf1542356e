using System.Linq.Expressions;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components.Compiled;

/// <summary>
/// Compiles the Canonical ABI for a list of values of given mappings into delegates: lowering .NET values straight
/// into flat core values and memory (<c>Func&lt;CanonicalOptions, TArgs, ulong[]&gt;</c>, TArgs the ValueTuple of
/// the values) and lifting them straight back (<c>Func&lt;CanonicalOptions, ulong[], TResult&gt;</c>, TResult the
/// one value's type or a ValueTuple of them). The counterparts of <see cref="CanonicalAbi.LowerFlatValues"/> and
/// <see cref="CanonicalAbi.LiftFlatValues"/>: flat up to <c>maxFlat</c> core values, else through memory.
/// </summary>
/// <remarks>Built as expression trees: each mapping contributes its part (see <see cref="TypeMapping"/>), and
/// <see cref="LambdaExpression.Compile()"/> turns the whole into one DynamicMethod.</remarks>
internal static class ThunkCompiler
{
    /// <summary>The type lowering takes its values as.</summary>
    public static Type ArgumentsType(IReadOnlyList<TypeMapping> mappings) => ValueTuples.Of(mappings.Select(m => m.NetType).ToArray());

    /// <summary>The type lifting gives its values as.</summary>
    public static Type ResultsType(IReadOnlyList<TypeMapping> mappings) => mappings.Count == 1 ? mappings[0].NetType : ArgumentsType(mappings);

    /// <summary><c>(options, args, flat) =&gt; flat</c>: lowers the arguments into <c>flat</c>, an array as long as
    /// the core values (the flat ones, or the one pointer to the spilled tuple), cleared first, and returns it.</summary>
    public static LambdaExpression Lower(IReadOnlyList<TypeMapping> mappings, ValueType pointer, int maxFlat)
    {
        var argumentsType = ArgumentsType(mappings);
        var options = Parameter(typeof(CanonicalOptions), "options");
        var args = Parameter(argumentsType, "args");
        var cx = new EmitContext(options, pointer);
        var slots = Parameter(typeof(ulong[]), "flat");
        // Zeroed first where a variant (or option, result) is among the values: it leaves the positions its case
        // does not use as they are (reused arrays are not zero). Other values write every position.
        var body = new List<Expression>();
        if (mappings.Any(m => ValueTypeWalk.Any(m.ComponentType, t => t is VariantType or OptionType or ResultType)))
            body.Add(Call(typeof(Array).GetMethod(nameof(Array.Clear), [typeof(Array)])!, slots));
        var places = Places(mappings, cx, slots, maxFlat, spill =>
        {
            var tuple = new TupleType(mappings.Select(m => m.ComponentType).ToArray());
            body.Add(Assign(spill, EmitContext.Helper(nameof(CompiledAbi.Allocate), options,
                Constant(CanonicalLayout.Alignment(tuple, pointer)), Constant((ulong)CanonicalLayout.Size(tuple, pointer)))));
            body.Add(Assign(ArrayAccess(slots, Constant(0)), spill));
        }, _ => { }, out var spillVariable);
        for (int i = 0; i < mappings.Count; i++) body.Add(mappings[i].Lower(ValueTuples.Item(args, i), places[i], cx));
        body.Add(slots);
        var type = typeof(Func<,,,>).MakeGenericType(typeof(CanonicalOptions), argumentsType, typeof(ulong[]), typeof(ulong[]));
        return Lambda(type, Block(typeof(ulong[]), [spillVariable], body), "Lower", [options, args, slots]);
    }

    public static LambdaExpression Lift(IReadOnlyList<TypeMapping> mappings, ValueType pointer, int maxFlat)
    {
        var resultsType = ResultsType(mappings);
        var options = Parameter(typeof(CanonicalOptions), "options");
        var slots = Parameter(typeof(ulong[]), "flat");
        var cx = new EmitContext(options, pointer);
        var body = new List<Expression>();
        var variables = new List<ParameterExpression>();
        var temps = LiftValues(mappings, cx, slots, maxFlat, body, variables);
        body.Add(mappings.Count == 1 ? temps[0] : ValueTuples.New(resultsType, temps));
        var type = typeof(Func<,,>).MakeGenericType(typeof(CanonicalOptions), typeof(ulong[]), resultsType);
        return Lambda(type, Block(resultsType, variables, body), "Lift", [options, slots]);
    }

    /// <summary>Adds to <paramref name="body"/> the statements that lift the values from the core values in
    /// <paramref name="slots"/> (flat, or in a tuple the first one points at, checked, past <paramref name="maxFlat"/>)
    /// into variables (added to <paramref name="variables"/>), in order, so the first bad one traps first; returns
    /// those variables.</summary>
    public static ParameterExpression[] LiftValues(IReadOnlyList<TypeMapping> mappings, EmitContext cx, Expression slots, int maxFlat,
        List<Expression> body, List<ParameterExpression> variables)
    {
        var places = Places(mappings, cx, slots, maxFlat, spill =>
        {
            body.Add(Assign(spill, new FlatPlace(cx, slots, 0).ReadPointer()));
            body.Add(CheckTuple(mappings, cx, spill));
        }, _ => { }, out var spillVariable);
        var temps = mappings.Select(m => Variable(m.NetType)).ToArray();
        for (int i = 0; i < mappings.Count; i++) body.Add(Assign(temps[i], mappings[i].Lift(places[i], cx)));
        variables.Add(spillVariable);
        variables.AddRange(temps);
        return temps;
    }

    /// <summary>Traps unless the tuple of the values at <paramref name="pointer"/> is aligned and inside the memory
    /// (as the reference's load and store of a spilled tuple check).</summary>
    public static Expression CheckTuple(IReadOnlyList<TypeMapping> mappings, EmitContext cx, Expression pointer)
    {
        var tuple = new TupleType(mappings.Select(m => m.ComponentType).ToArray());
        return EmitContext.Helper(nameof(CompiledAbi.CheckRange), cx.Options, pointer, Constant((ulong)CanonicalLayout.Size(tuple, cx.Pointer)),
            Constant(CanonicalLayout.Alignment(tuple, cx.Pointer)), Constant("tuple"));
    }

    /// <summary>Where each value goes: in flat values if they all flatten to at most <paramref name="maxFlat"/>
    /// (after <paramref name="flat"/> with their count), else in a tuple in memory at a pointer
    /// (<paramref name="spill"/> sets the variable it gives).</summary>
    public static Place[] Places(IReadOnlyList<TypeMapping> mappings, EmitContext cx, Expression slots, int maxFlat,
        Action<ParameterExpression> spill, Action<int> flat, out ParameterExpression spillVariable)
    {
        spillVariable = Variable(typeof(ulong), "spilled");
        var counts = mappings.Select(m => CanonicalLayout.Flatten(m.ComponentType).Count).ToArray();
        var places = new Place[mappings.Count];
        if (counts.Sum() > maxFlat)
        {
            spill(spillVariable);
            var offsets = CanonicalLayout.FieldOffsets(new TupleType(mappings.Select(m => m.ComponentType).ToArray()), cx.Pointer);
            for (int i = 0; i < places.Length; i++) places[i] = new MemoryPlace(cx, spillVariable, offsets[i]);
            return places;
        }
        flat(counts.Sum());
        for (int i = 0, k = 0; i < places.Length; k += counts[i], i++) places[i] = new FlatPlace(cx, slots, k);
        return places;
    }
}
