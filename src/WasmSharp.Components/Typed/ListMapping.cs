using System.Linq.Expressions;
using System.Text;
using WasmSharp.Components.Compiled;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary><c>list&lt;T&gt;</c> (and a map, a list of key-value tuples) as <c>T[]</c>; the fixed-length
/// <c>list&lt;T, N&gt;</c> as a <c>T[]</c> of exactly N. A list of integers, floats or chars moves in and out of
/// memory with one copy.</summary>
internal sealed class ListMapping : TypeMapping
{
    private readonly TypeMapping _element;
    private readonly uint? _length;

    private ListMapping(ComponentValueType type, Type net, TypeMapping element, uint? length) : base(type, net) =>
        (_element, _length) = (element, length);

    public static ListMapping Create(ComponentValueType t, Type net, string path)
    {
        var (elementType, length) = t is MapType map ? (map.Entry, null) : (((ListType)t).Element, ((ListType)t).Length);
        if (!net.IsSZArray) throw TypeMapper.Misfit(path, t, net, "a list is an array, T[]");
        return new ListMapping(t, net, TypeMapper.Map(elementType, net.GetElementType()!, path + "[]"), length);
    }

    private ComponentValueType ElementType => _element.ComponentType;

    public override ComponentValue ToComponent(object? value)
    {
        var array = Net<Array>(value);
        if (_length is { } n && array.Length != n) throw NotAValue(value, $"{array.Length} elements, not {n}");
        var elements = new ComponentValue[array.Length];
        for (int i = 0; i < elements.Length; i++) elements[i] = _element.ToComponent(array.GetValue(i));
        return new ListValue(elements);
    }

    public override object? FromComponent(ComponentValue value)
    {
        var list = Expect<ListValue>(value);
        var array = Array.CreateInstance(_element.NetType, list.Elements.Count);
        for (int i = 0; i < array.Length; i++) array.SetValue(_element.FromComponent(list.Elements[i]), i);
        return array;
    }

    /// <summary>The helpers that store and load a list of this element type with one copy, if there are.</summary>
    private (string Store, string Load, bool Generic)? Bulk =>
        !BitConverter.IsLittleEndian || _element is not ScalarMapping scalar ? null : scalar.Kind switch
        {
            Primitive.Bool => null,
            Primitive.F32 => (nameof(CompiledAbi.StoreF32s), nameof(CompiledAbi.LoadF32s), false),
            Primitive.F64 => (nameof(CompiledAbi.StoreF64s), nameof(CompiledAbi.LoadF64s), false),
            Primitive.Char => (nameof(CompiledAbi.StoreBlittable), nameof(CompiledAbi.LoadChars), false),
            _ => (nameof(CompiledAbi.StoreBlittable), nameof(CompiledAbi.LoadBlittable), true),
        };

    internal override Expression Lower(Expression value, Place place, EmitContext cx) => EmitContext.Let(value, array =>
    {
        var check = IfThen(ReferenceEqual(array, Constant(null)), Throw(EmitContext.Helper(nameof(CompiledAbi.Null), Constant("list"))));
        if (_length is { } n)
            return Block(check,
                IfThen(NotEqual(ArrayLength(array), Constant((int)n)),
                    Throw(New(typeof(ArgumentException).GetConstructor([typeof(string), typeof(string)])!,
                        Constant($"a list<{CanonicalAbi.Describe(ElementType)}, {n}> needs {n} elements"), Constant("value")))),
                Elements(place, cx, n, (i, p) => _element.Lower(ArrayIndex(array, i), p, cx)));
        Expression range;
        if (Bulk is { } bulk)
            range = bulk.Store == nameof(CompiledAbi.StoreBlittable)
                ? EmitContext.Helper(bulk.Store, _element.NetType, cx.Options, array)
                : EmitContext.Helper(bulk.Store, cx.Options, array);
        else
        {
            long size = CanonicalLayout.Size(ElementType, cx.Pointer);
            var begin = Variable(typeof(ulong), "begin");
            range = Block([begin],
                Assign(begin, EmitContext.Helper(nameof(CompiledAbi.Allocate), cx.Options,
                    Constant(CanonicalLayout.Alignment(ElementType, cx.Pointer)),
                    Multiply(Convert(ArrayLength(array), typeof(ulong)), Constant((ulong)size)))),
                EmitContext.For(ArrayLength(array), i => _element.Lower(ArrayIndex(array, i), new MemoryPlace(cx, EmitContext.Element(begin, i, size)), cx)),
                New(typeof((ulong, ulong)).GetConstructor([typeof(ulong), typeof(ulong)])!, begin, Convert(ArrayLength(array), typeof(ulong))));
        }
        return Block(check, EmitContext.Let(range, r => Block(place.WritePointer(Field(r, "Item1")), place.Length.WritePointer(Field(r, "Item2")))));
    });

    internal override Expression Lift(Place place, EmitContext cx)
    {
        if (_length is { } n)
        {
            var fixedArray = Variable(NetType, "array");
            return Block(NetType, [fixedArray],
                Assign(fixedArray, NewArrayBounds(_element.NetType, Constant((int)n))),
                Elements(place, cx, n, (i, p) => Assign(ArrayAccess(fixedArray, i), _element.Lift(p, cx))),
                fixedArray);
        }
        var pointer = Variable(typeof(ulong), "pointer");
        var length = Variable(typeof(ulong), "length");
        var read = new Expression[] { Assign(pointer, place.ReadPointer()), Assign(length, place.Length.ReadPointer()) };
        if (Bulk is { } bulk)
            return Block(NetType, [pointer, length], [.. read, bulk.Generic
                ? EmitContext.Helper(bulk.Load, _element.NetType, cx.Options, pointer, length)
                : EmitContext.Helper(bulk.Load, cx.Options, pointer, length)]);
        long size = CanonicalLayout.Size(ElementType, cx.Pointer);
        var array = Variable(NetType, "array");
        return Block(NetType, [pointer, length, array], [.. read,
            EmitContext.Helper(nameof(CompiledAbi.CheckList), cx.Options, pointer, length, Constant(size),
                Constant(CanonicalLayout.Alignment(ElementType, cx.Pointer))),
            Assign(array, NewArrayBounds(_element.NetType, Convert(length, typeof(int)))),
            EmitContext.For(ArrayLength(array), i => Assign(ArrayAccess(array, i),
                _element.Lift(new MemoryPlace(cx, EmitContext.Element(pointer, i, size)), cx))),
            array]);
    }

    /// <summary>The <paramref name="n"/> elements of a fixed-length list at <paramref name="place"/>: unrolled in
    /// flat values, a loop in memory.</summary>
    private Expression Elements(Place place, EmitContext cx, uint n, Func<Expression, Place, Expression> each)
    {
        if (place is MemoryPlace memory)
        {
            long size = CanonicalLayout.Size(ElementType, cx.Pointer);
            return EmitContext.Let(memory.Address, begin =>
                EmitContext.For(Constant((int)n), i => each(i, new MemoryPlace(cx, EmitContext.Element(begin, i, size)))));
        }
        int flat = CanonicalLayout.Flatten(ElementType).Count;
        return Block(Enumerable.Range(0, (int)n).Select(i => each(Constant(i), place.At(0, i * flat))).Append(Empty()));
    }
}
