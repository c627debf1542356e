using System.Linq.Expressions;
using WasmSharp.Components.Compiled;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary><c>own&lt;R&gt;</c> and <c>borrow&lt;R&gt;</c> as <see cref="Resource"/>: an own argument moves the host's
/// resource into the callee, a borrow lends it for the call, an own result becomes a resource the host owns. The
/// handle tables are the reference path's, also inside compiled code.</summary>
internal sealed class ResourceMapping(ComponentValueType type) : TypeMapping(type, typeof(Resource))
{
    private ResourceType Expected => ComponentType switch
    {
        OwnType o => o.Resource,
        _ => ((BorrowType)ComponentType).Resource,
    };

    public override ComponentValue ToComponent(object? value)
    {
        var resource = Net<Resource>(value);
        if (resource.Type != Expected) throw NotAValue(value, $"a {resource.Type} resource, where a {Expected} one is wanted");
        return new ResourceValue(resource.Type, ComponentType is OwnType ? resource.Move() : resource.Rep);
    }

    public override object? FromComponent(ComponentValue value)
    {
        var r = Expect<ResourceValue>(value);
        return new Resource(r.Type, r.Rep);
    }

    internal override Expression Lower(Expression value, Place place, EmitContext cx) =>
        place.LowerUntyped(Call(Constant(this), typeof(ResourceMapping).GetMethod(nameof(ToComponent))!, Convert(value, typeof(object))), ComponentType);

    internal override Expression Lift(Place place, EmitContext cx) =>
        Convert(Call(Constant(this), typeof(ResourceMapping).GetMethod(nameof(FromComponent))!, place.LiftUntyped(ComponentType)), typeof(Resource));
}
