using System.Linq.Expressions;
using WasmSharp.Components.Compiled;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary>string as <see cref="string"/>: lowered by transcoding straight into memory realloc gives, lifted by
/// decoding straight out of it.</summary>
internal sealed class StringMapping(ComponentValueType type) : TypeMapping(type, typeof(string))
{
    public override ComponentValue ToComponent(object? value) => new StringValue(Net<string>(value));

    public override object? FromComponent(ComponentValue value) => Expect<StringValue>(value).Value;

    internal override Expression Lower(Expression value, Place place, EmitContext cx) =>
        EmitContext.Let(EmitContext.Helper(nameof(CompiledAbi.StoreString), cx.Options, value), range => Block(
            place.WritePointer(Field(range, "Item1")),
            place.Length.WritePointer(Field(range, "Item2"))));

    internal override Expression Lift(Place place, EmitContext cx) =>
        EmitContext.Helper(nameof(CompiledAbi.LoadString), cx.Options, place.ReadPointer(), place.Length.ReadPointer());
}
