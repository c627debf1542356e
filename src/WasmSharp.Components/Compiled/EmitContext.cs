using System.Linq.Expressions;
using System.Reflection;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components.Compiled;

/// <summary>What the expressions of one compiled lift or lower share: the parameter holding the call's canonical
/// options, and the memory's address type (it fixes every offset, so a thunk is built for one).</summary>
internal sealed class EmitContext(ParameterExpression options, ValueType pointer)
{
    public ParameterExpression Options { get; } = options;
    public ValueType Pointer { get; } = pointer;
    public int PointerSize { get; } = CanonicalLayout.PointerSize(pointer);

    /// <summary>A call of the run-time helper <paramref name="name"/> (a method of <see cref="CompiledAbi"/>).</summary>
    public static MethodCallExpression Helper(string name, params Expression[] args) => Call(HelperMethod(name), args);

    /// <summary>A call of the generic run-time helper <paramref name="name"/> for <paramref name="typeArgument"/>.</summary>
    public static MethodCallExpression Helper(string name, Type typeArgument, params Expression[] args) =>
        Call(HelperMethod(name).MakeGenericMethod(typeArgument), args);

    private static MethodInfo HelperMethod(string name) =>
        typeof(CompiledAbi).GetMethod(name, BindingFlags.Public | BindingFlags.Static)
        ?? throw new InvalidOperationException($"no run-time helper {name}");

    /// <summary><c>for (i = 0; i &lt; count; i++) body(i)</c>, <paramref name="count"/> an int.</summary>
    public static Expression For(Expression count, Func<ParameterExpression, Expression> body)
    {
        var i = Variable(typeof(int), "i");
        var n = Variable(typeof(int), "n");
        var end = Label("end");
        return Block([i, n],
            Assign(n, count),
            Assign(i, Constant(0)),
            Loop(IfThenElse(LessThan(i, n), Block(body(i), PreIncrementAssign(i)), Break(end)), end));
    }

    /// <summary>A block that evaluates <paramref name="value"/> once into a variable and gives it to
    /// <paramref name="body"/> (a value is read several times: a null check, then its parts).</summary>
    public static Expression Let(Expression value, Func<ParameterExpression, Expression> body)
    {
        var v = Variable(value.Type);
        var rest = body(v);
        return Block(rest.Type, [v], Assign(v, value), rest);
    }

    /// <summary>The address of element <paramref name="index"/> (an int) of a range at <paramref name="begin"/>
    /// with elements of <paramref name="size"/> bytes.</summary>
    public static Expression Element(Expression begin, Expression index, long size) =>
        Add(begin, Multiply(Convert(index, typeof(ulong)), Constant((ulong)size)));
}
