namespace WasmSharp.Binary;

/// <summary>Decodes a binary module section by section into a <see cref="ModuleInfo"/>.</summary>
public static class ModuleReader
{
    public static ModuleInfo Read(ReadOnlyMemory<byte> bytes) => throw new NotImplementedException();
}
