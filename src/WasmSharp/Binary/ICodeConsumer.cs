namespace WasmSharp.Binary;

/// <summary>Receives function bodies while the reader is still in the code section.</summary>
internal interface ICodeConsumer
{
    /// <summary>The code section starts: every section a body may refer to has been read.</summary>
    void BeginCode(ModuleInfo info);

    /// <summary>Body <paramref name="index"/> (of the defined functions) is in <see cref="ModuleInfo.Codes"/>.</summary>
    void Body(ModuleInfo info, int index);
}
