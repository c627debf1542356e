using WasmSharp.Components;
using P = WasmSharp.Components.PrimitiveType;

namespace WasmSharp.Tests.Components;

public sealed class Person
{
    public string FirstName { get; set; } = "";
    [ComponentName("years")]
    public uint Age { get; set; }
}

public enum Tone { [ComponentName("very-loud")] Loud, Quiet }

/// <summary>How .NET types meet component types: conventions, attributes, and the errors for types that do not fit.</summary>
public class TypedMappingTests
{
    private static readonly RecordType PersonType = new(new[] { new Field("first-name", P.String), new Field("years", P.U32) });

    [Fact]
    public void RecordsMatchLabelsByConventionOrAttribute()
    {
        var mapping = TypeMapping.Create(PersonType, typeof(Person));
        var value = mapping.ToComponent(new Person { FirstName = "Ada", Age = 36 });
        Assert.Equal(new RecordValue(new[] { ("first-name", (ComponentValue)new StringValue("Ada")), ("years", new IntegerValue(Primitive.U32, 36)) }), value);
        var back = (Person)mapping.FromComponent(value)!;
        Assert.Equal(("Ada", 36u), (back.FirstName, back.Age));
        Assert.Equal(new EnumValue("very-loud"), TypeMapping.Create(new EnumType(new[] { "very-loud", "quiet" }), typeof(Tone)).ToComponent(Tone.Loud));
    }

    [Fact]
    public void MisfitsSayWhereAndWhy()
    {
        Assert.Contains("first-name", Assert.Throws<ArgumentException>(() => TypeMapping.Create(
            new RecordType(new[] { new Field("first-name", P.U32) }), typeof(Person))).Message);
        Assert.Contains("no public property or field fits the field 'last-name'", Assert.Throws<ArgumentException>(() => TypeMapping.Create(
            new RecordType(new[] { new Field("last-name", P.String) }), typeof(Person))).Message);
        Assert.Contains("none and some(none)", Assert.Throws<ArgumentException>(() =>
            TypeMapping.Create(new OptionType(new OptionType(P.String)), typeof(string))).Message);
        Assert.Contains("Nullable", Assert.Throws<ArgumentException>(() => TypeMapping.Create(new OptionType(P.U32), typeof(uint))).Message);
        Assert.Contains("[Flags]", Assert.Throws<ArgumentException>(() => TypeMapping.Create(new FlagsType(new[] { "loud" }), typeof(Tone))).Message);
        Assert.Contains("2 members for 3 labels", Assert.Throws<ArgumentException>(() =>
            TypeMapping.Create(new EnumType(new[] { "very-loud", "quiet", "mute" }), typeof(Tone))).Message);
        Assert.Contains("Unit", Assert.Throws<ArgumentException>(() => TypeMapping.Create(new ResultType(null, P.U32), typeof(Result<int, uint>))).Message);
        Assert.Contains("case 'nothing'", Assert.Throws<ArgumentException>(() =>
            TypeMapping.Create(new VariantType(new[] { new Case("circle", P.U32), new Case("nothing", P.U32) }), typeof(Shape))).Message);
        Assert.Contains("a handle is a WasmSharp.Components.Resource",
            Assert.Throws<ArgumentException>(() => TypeMapping.Create(new OwnType(new ResourceType("r")), typeof(uint))).Message);
        Assert.NotNull(TypeMapping.Create(new BorrowType(new ResourceType("r")), typeof(Resource)));
        Assert.NotNull(TypeMapping.Create(new OwnType(new ResourceType("r")), typeof(ResourceValue)));
    }

    [Fact]
    public void ValuesTheTypeCannotCarryAreRefused()
    {
        Assert.Throws<ArgumentException>(() => TypeMapping.Create(new ListType(P.U8, 2), typeof(byte[])).ToComponent(new byte[3]));
        Assert.Throws<ArgumentException>(() => TypeMapping.Create(P.String, typeof(string)).ToComponent(null));
        Assert.Throws<ArgumentException>(() => TypeMapping.Create(new EnumType(new[] { "very-loud", "quiet" }), typeof(Tone)).ToComponent((Tone)5));
    }

    [Fact]
    public void ResultsCompareByCase()
    {
        Assert.Equal(Result<int, string>.Ok(1), Result<int, string>.Ok(1));
        Assert.NotEqual(Result<int, int>.Ok(1), Result<int, int>.Err(1));
        Assert.Throws<InvalidOperationException>(() => Result<int, string>.Ok(1).Error);
        Assert.Equal("err(x)", Result<int, string>.Err("x").ToString());
    }
}
