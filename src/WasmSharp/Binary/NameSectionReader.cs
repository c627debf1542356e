namespace WasmSharp.Binary;

/// <summary>
/// Reads the "name" custom section's module name, function names and local names. The section is only a debugging aid: a
/// malformed one is ignored as a whole, never an error.
/// </summary>
internal static class NameSectionReader
{
    private const byte ModuleNameId = 0;
    private const byte FunctionNamesId = 1;
    private const byte LocalNamesId = 2;

    public static void Read(ReadOnlySpan<byte> data, long offset, ModuleInfo info)
    {
        string? moduleName = null;
        Dictionary<uint, string>? functionNames = null;
        Dictionary<uint, Dictionary<uint, string>>? localNames = null;
        try
        {
            var r = new WasmReader(data, offset, "name");
            while (!r.AtEnd)
            {
                byte id = r.ReadByte();
                int size = r.ReadLength();
                var sub = new WasmReader(r.ReadBytes(size), r.Offset - size, "name");
                switch (id)
                {
                    case ModuleNameId:
                        moduleName = sub.ReadName();
                        break;
                    case FunctionNamesId:
                        uint count = sub.ReadCount(2);
                        functionNames ??= new Dictionary<uint, string>((int)count);
                        for (uint i = 0; i < count; i++)
                        {
                            uint index = sub.ReadU32();
                            functionNames[index] = sub.ReadName();
                        }
                        break;
                    case LocalNamesId:
                        uint functions = sub.ReadCount(2);
                        localNames ??= new Dictionary<uint, Dictionary<uint, string>>((int)functions);
                        for (uint f = 0; f < functions; f++)
                        {
                            uint function = sub.ReadU32();
                            uint locals = sub.ReadCount(2);
                            var names = localNames[function] = new Dictionary<uint, string>((int)locals);
                            for (uint l = 0; l < locals; l++)
                            {
                                uint local = sub.ReadU32();
                                names[local] = sub.ReadName();
                            }
                        }
                        break;
                    default:
                        sub.Skip(sub.Remaining); // labels and others: not needed
                        break;
                }
                if (!sub.AtEnd) return;
            }
        }
        catch (MalformedModuleException)
        {
            return;
        }

        info.ModuleName = moduleName;
        if (functionNames is not null)
            foreach (var (index, name) in functionNames) info.FunctionNames[index] = name;
        if (localNames is not null)
            foreach (var (index, names) in localNames) info.LocalNames[index] = names;
    }
}
