using WasmSharp.Wasi.Abi;

namespace WasmSharp.Wasi;

// args_* and environ_*: NUL-terminated UTF-8 strings, copied into a guest buffer, with a pointer to each.
public sealed partial class WasiPreview1
{
    private Errno ArgsSizesGet(uint countPtr, uint sizePtr) => SizesGet(_args, countPtr, sizePtr);
    private Errno ArgsGet(uint pointersPtr, uint bufferPtr) => StringsGet(_args, pointersPtr, bufferPtr);
    private Errno EnvironSizesGet(uint countPtr, uint sizePtr) => SizesGet(_environ, countPtr, sizePtr);
    private Errno EnvironGet(uint pointersPtr, uint bufferPtr) => StringsGet(_environ, pointersPtr, bufferPtr);

    private Errno SizesGet(byte[][] strings, uint countPtr, uint sizePtr)
    {
        var m = Mem;
        m.Write32(countPtr, (uint)strings.Length);
        m.Write32(sizePtr, (uint)strings.Sum(s => s.Length));
        return Errno.Success;
    }

    private Errno StringsGet(byte[][] strings, uint pointersPtr, uint bufferPtr)
    {
        var m = Mem;
        uint at = bufferPtr;
        for (int i = 0; i < strings.Length; i++)
        {
            m.Write32(pointersPtr + 4 * (uint)i, at);
            strings[i].CopyTo(m.Slice(at, (uint)strings[i].Length));
            at += (uint)strings[i].Length;
        }
        return Errno.Success;
    }
}
