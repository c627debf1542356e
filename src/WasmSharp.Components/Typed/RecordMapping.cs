using System.Linq.Expressions;
using System.Reflection;
using WasmSharp.Components.Compiled;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary>A record as a .NET class, record or struct with a readable member per field (a public property or
/// field whose name fits the label, see <see cref="ComponentNames"/>), made either by a public constructor whose
/// parameters are the fields (a positional record's) or by a public parameterless constructor and the members'
/// setters.</summary>
internal sealed class RecordMapping : TypeMapping
{
    private readonly RecordType _record;
    private readonly TypeMapping[] _fields;
    private readonly MemberInfo[] _members;
    /// <summary>The constructor that takes the fields, and for each of its parameters the field it takes; or null
    /// to set the members.</summary>
    private readonly (ConstructorInfo Constructor, int[] Fields)? _construct;

    private RecordMapping(RecordType record, Type net, TypeMapping[] fields, MemberInfo[] members, (ConstructorInfo, int[])? construct)
        : base(record, net) => (_record, _fields, _members, _construct) = (record, fields, members, construct);

    public static RecordMapping Create(RecordType record, Type net, string path)
    {
        if (net.IsPrimitive || net.IsEnum || net.IsArray || net.IsInterface || net.IsAbstract || net == typeof(string) || net.IsGenericTypeDefinition)
            throw TypeMapper.Misfit(path, record, net, "a record is a class, record or struct with a member per field");
        var candidates = net.GetMembers(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m is PropertyInfo { CanRead: true } p && p.GetIndexParameters().Length == 0 || m is FieldInfo).ToList();
        var members = new MemberInfo[record.Fields.Count];
        var fields = new TypeMapping[members.Length];
        for (int i = 0; i < members.Length; i++)
        {
            var label = record.Fields[i].Label;
            members[i] = ComponentNames.Single(label, candidates, m => m, m => m.Name, path)
                ?? throw TypeMapper.Misfit(path, record, net, $"no public property or field fits the field '{label}'");
            fields[i] = TypeMapper.Map(record.Fields[i].Type, MemberType(members[i]), $"{path}.{label}");
        }
        return new RecordMapping(record, net, fields, members, Constructor(record, net, members, path));
    }

    private static Type MemberType(MemberInfo m) => m is PropertyInfo p ? p.PropertyType : ((FieldInfo)m).FieldType;

    /// <summary>A public constructor whose parameters are the fields (in any order), or null if the members can be
    /// set after a parameterless one.</summary>
    private static (ConstructorInfo, int[])? Constructor(RecordType record, Type net, MemberInfo[] members, string path)
    {
        foreach (var c in net.GetConstructors())
        {
            var parameters = c.GetParameters();
            if (parameters.Length != members.Length || parameters.Length == 0) continue;
            var order = parameters.Select(p => record.Fields.FindIndex(f => ComponentNames.Fits(f.Label, p, p.Name ?? ""))).ToArray();
            if (order.Distinct().Count() == order.Length && order.All(i => i >= 0)
                && parameters.Select((p, k) => p.ParameterType == MemberType(members[order[k]])).All(x => x))
                return (c, order);
        }
        bool settable = members.All(m => m is PropertyInfo { CanWrite: true } p && p.SetMethod!.IsPublic || m is FieldInfo { IsInitOnly: false });
        if ((net.IsValueType || net.GetConstructor(Type.EmptyTypes) is not null) && settable) return null;
        throw TypeMapper.Misfit(path, record, net, "no public constructor takes the fields, and no parameterless one with settable members");
    }

    public override ComponentValue ToComponent(object? value)
    {
        if (value is null || !NetType.IsInstanceOfType(value)) throw NotAValue(value, $"not a {NetType.Name}");
        return new RecordValue(_fields.Select((f, i) => (_record.Fields[i].Label, f.ToComponent(Get(_members[i], value)))).ToArray());
    }

    private static object? Get(MemberInfo m, object target) => m is PropertyInfo p ? p.GetValue(target) : ((FieldInfo)m).GetValue(target);

    public override object? FromComponent(ComponentValue value)
    {
        var record = Expect<RecordValue>(value);
        var values = record.Fields.Select((f, i) => _fields[i].FromComponent(f.Value)).ToArray();
        if (_construct is var (constructor, order)) return constructor.Invoke(order.Select(i => values[i]).ToArray());
        object target = Activator.CreateInstance(NetType)!;
        for (int i = 0; i < values.Length; i++)
        {
            if (_members[i] is PropertyInfo p) p.SetValue(target, values[i]);
            else ((FieldInfo)_members[i]).SetValue(target, values[i]);
        }
        return target;
    }

    internal override Expression Lower(Expression value, Place place, EmitContext cx) => EmitContext.Let(value, v =>
    {
        var body = new List<Expression>();
        if (!NetType.IsValueType)
            body.Add(IfThen(ReferenceEqual(v, Constant(null)), Throw(EmitContext.Helper(nameof(CompiledAbi.Null), Constant("record")))));
        body.AddRange(LowerFields(_fields, i => MakeMemberAccess(v, _members[i]), place, cx));
        body.Add(Empty());
        return Block(body);
    });

    internal override Expression Lift(Place place, EmitContext cx)
    {
        // Fields lift in the type's order (so the first bad one traps first), then construct.
        var temps = _fields.Select(f => Variable(f.NetType)).ToArray();
        var body = LiftFields(_fields, temps, place, cx).ToList();
        body.Add(_construct is var (constructor, order)
            ? New(constructor, order.Select(i => temps[i]))
            : MemberInit(New(NetType), _members.Select((m, i) => Bind(m, temps[i]))));
        return Block(NetType, temps, body);
    }
}
