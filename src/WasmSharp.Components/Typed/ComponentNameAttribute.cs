namespace WasmSharp.Components;

/// <summary>Names the component label a .NET member, parameter, type or enum member stands for, where the convention
/// (a kebab-case label matches a .NET name that spells the same words, ignoring case: <c>first-name</c> ↔
/// <c>FirstName</c>, <c>firstName</c>) does not fit or should be explicit.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter | AttributeTargets.Class |
    AttributeTargets.Struct, AllowMultiple = false)]
public sealed class ComponentNameAttribute(string name) : Attribute
{
    /// <summary>The label, exactly as the component type spells it.</summary>
    public string Name { get; } = name;
}
