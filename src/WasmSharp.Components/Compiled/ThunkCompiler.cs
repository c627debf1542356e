using System.Linq.Expressions;
using WasmSharp.Components.Runtime;
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
    /// the core values (the flat ones, or the one pointer to the spilled tuple; flat value k at element k *
    /// <paramref name="stride"/>), cleared first, and returns it.</summary>
    public static LambdaExpression Lower(IReadOnlyList<TypeMapping> mappings, ValueType pointer, int maxFlat, int stride = 1)
    {
        var argumentsType = ArgumentsType(mappings);
        var options = Parameter(typeof(CanonicalOptions), "options");
        var args = Parameter(argumentsType, "args");
        var slots = Parameter(typeof(ulong[]), "flat");
        var body = new List<Expression>();
        var variables = new List<ParameterExpression>();
        LowerValues(mappings, new EmitContext(options, pointer), args, slots, stride, maxFlat, body, variables);
        body.Add(slots);
        var type = typeof(Func<,,,>).MakeGenericType(typeof(CanonicalOptions), argumentsType, typeof(ulong[]), typeof(ulong[]));
        return Lambda(type, Block(typeof(ulong[]), variables, body), "Lower", [options, args, slots]);
    }

    /// <summary>Adds to <paramref name="body"/> the statements that lower the values of <paramref name="args"/> (a
    /// ValueTuple) into the flat values in <paramref name="slots"/> (flat value k at element k * <paramref name="stride"/>),
    /// or into a tuple allocated in memory, its pointer the first flat value, past <paramref name="maxFlat"/>.</summary>
    private static void LowerValues(IReadOnlyList<TypeMapping> mappings, EmitContext cx, Expression args, Expression slots, int stride, int maxFlat,
        List<Expression> body, List<ParameterExpression> variables)
    {
        // Flat values are zeroed first where a variant (or option, result) is among them: it leaves the positions
        // its case does not use as they are (reused arrays are not zero). Other values write every position.
        bool variants = mappings.Any(m => ValueTypeWalk.Any(m.ComponentType, t => t is VariantType or OptionType or ResultType));
        var places = Places(mappings, cx, slots, maxFlat, spill =>
        {
            var tuple = new TupleType(mappings.Select(m => m.ComponentType).ToArray());
            body.Add(Assign(spill, EmitContext.Helper(nameof(CompiledAbi.Allocate), cx.Options,
                Constant(CanonicalLayout.Alignment(tuple, cx.Pointer)), Constant((ulong)CanonicalLayout.Size(tuple, cx.Pointer)))));
            body.Add(Assign(ArrayAccess(slots, Constant(0)), spill));
        }, count =>
        {
            if (variants)
                for (int k = 0; k < count; k++) body.Add(Assign(ArrayAccess(slots, Constant(k * stride)), Constant(0UL)));
        }, out var spillVariable, stride);
        for (int i = 0; i < mappings.Count; i++) body.Add(mappings[i].Lower(ValueTuples.Item(args, i), places[i], cx));
        variables.Add(spillVariable);
    }

    /// <summary>
    /// <c>(invoker, args) =&gt; result</c>: a whole call of a lifted function (<see cref="CompiledInvoker{TArgs,TResult}"/>'s),
    /// with the lowering, the core call and the lifting in one method. A plain call (<see cref="LiftedFunction.TryEnterPlain"/>:
    /// from the host into an outermost instance, no handles, not async, not re-entered, no built-in reading the running
    /// call) lowers straight into the function's host slots (<see cref="HostSlots"/>, two words a value), calls the core
    /// function on them as a typed core delegate does, lifts from them and runs post-return; any other call goes
    /// through the protocol with the separately compiled conversions (<see cref="CompiledInvoker{TArgs,TResult}.Slow"/>).
    /// </summary>
    public static LambdaExpression WholeCall(Type invokerType, IReadOnlyList<TypeMapping> parameters, IReadOnlyList<TypeMapping> results,
        ValueType pointer)
    {
        var argumentsType = ArgumentsType(parameters);
        var resultsType = ResultsType(results);
        var invoker = Parameter(invokerType, "invoker");
        var args = Parameter(argumentsType, "args");
        var function = Variable(typeof(LiftedFunction), "function");
        var options = Variable(typeof(CanonicalOptions), "options");
        var slots = Variable(typeof(ulong[]), "slots");
        var result = Variable(resultsType, "result");
        var cx = new EmitContext(options, pointer);
        var call = new List<Expression>();
        var variables = new List<ParameterExpression>();
        LowerValues(parameters, cx, args, slots, HostSlots.Words, CanonicalLayout.MaxFlatParams, call, variables);
        // The core results' slots are lifted as they are: an i32 or f32's slot may keep a dirty high half (native code
        // leaves it so), which every lifting cuts off itself (CompiledAbiProperties.WholeCallsAgreeWithTheReference
        // leaves it dirty).
        call.Add(Call(function, nameof(LiftedFunction.CallCorePlain), null));
        var temps = LiftValues(results, cx, slots, CanonicalLayout.MaxFlatResults, call, variables, HostSlots.Words);
        call.Add(Assign(result, results.Count == 1 ? temps[0] : ValueTuples.New(resultsType, temps)));
        call.Add(Call(function, nameof(LiftedFunction.PostReturnPlain), null));
        var body = Block(resultsType, [function, options, slots, result],
            Assign(function, Field(invoker, "Function")),
            Condition(Not(Call(function, nameof(LiftedFunction.TryEnterPlain), null)),
                Call(invoker, "Slow", null, args),
                Block(resultsType,
                    Assign(options, Property(function, nameof(LiftedFunction.PlainAbi))),
                    Assign(slots, Property(function, nameof(LiftedFunction.PlainSlots))),
                    TryFinally(Block(typeof(void), variables, call), Call(function, nameof(LiftedFunction.LeavePlain), null)),
                    result)));
        var type = typeof(Func<,,>).MakeGenericType(invokerType, argumentsType, resultsType);
        return Lambda(type, body, "Call", [invoker, args]);
    }

    public static LambdaExpression Lift(IReadOnlyList<TypeMapping> mappings, ValueType pointer, int maxFlat, int stride = 1)
    {
        var resultsType = ResultsType(mappings);
        var options = Parameter(typeof(CanonicalOptions), "options");
        var slots = Parameter(typeof(ulong[]), "flat");
        var cx = new EmitContext(options, pointer);
        var body = new List<Expression>();
        var variables = new List<ParameterExpression>();
        var temps = LiftValues(mappings, cx, slots, maxFlat, body, variables, stride);
        body.Add(mappings.Count == 1 ? temps[0] : ValueTuples.New(resultsType, temps));
        var type = typeof(Func<,,>).MakeGenericType(typeof(CanonicalOptions), typeof(ulong[]), resultsType);
        return Lambda(type, Block(resultsType, variables, body), "Lift", [options, slots]);
    }

    /// <summary>Adds to <paramref name="body"/> the statements that lift the values from the core values in
    /// <paramref name="slots"/> (flat, or in a tuple the first one points at, checked, past <paramref name="maxFlat"/>)
    /// into variables (added to <paramref name="variables"/>), in order, so the first bad one traps first; returns
    /// those variables.</summary>
    public static ParameterExpression[] LiftValues(IReadOnlyList<TypeMapping> mappings, EmitContext cx, Expression slots, int maxFlat,
        List<Expression> body, List<ParameterExpression> variables, int stride = 1)
    {
        var places = Places(mappings, cx, slots, maxFlat, spill =>
        {
            body.Add(Assign(spill, new FlatPlace(cx, slots, 0, stride).ReadPointer()));
            body.Add(CheckTuple(mappings, cx, spill));
        }, _ => { }, out var spillVariable, stride);
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
    /// (<paramref name="spill"/> sets the variable it gives); flat value k is element k * <paramref name="stride"/>.</summary>
    public static Place[] Places(IReadOnlyList<TypeMapping> mappings, EmitContext cx, Expression slots, int maxFlat,
        Action<ParameterExpression> spill, Action<int> flat, out ParameterExpression spillVariable, int stride = 1)
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
        for (int i = 0, k = 0; i < places.Length; k += counts[i], i++) places[i] = new FlatPlace(cx, slots, k, stride);
        return places;
    }
}
