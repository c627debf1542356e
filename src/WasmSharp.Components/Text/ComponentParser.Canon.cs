using Sort = WasmSharp.Components.Binary.Sort;
using static WasmSharp.Components.Binary.SortExtensions;
using WasmSharp.Text;

namespace WasmSharp.Components.Text;

/// <summary>Canonical definitions: lift, lower and the built-ins, from one table of opcodes and immediates.</summary>
internal sealed partial class ComponentParser
{
    /// <summary>The immediates of a canonical built-in, read (and encoded) in this order.</summary>
    [Flags]
    private enum Immediates : ushort
    {
        None = 0,
        /// <summary><c>shared?</c>.</summary>
        Shared = 1 << 0,
        /// <summary>A core value type and a slot number (<c>context.get</c>, <c>context.set</c>).</summary>
        Slot = 1 << 1,
        /// <summary><c>(result t)?</c> as a <c>resultlist</c>.</summary>
        Result = 1 << 2,
        /// <summary>A component type index.</summary>
        Type = 1 << 3,
        /// <summary>A core type index.</summary>
        CoreType = 1 << 4,
        /// <summary>A core table index.</summary>
        CoreTable = 1 << 5,
        /// <summary><c>cancellable?</c>.</summary>
        Cancel = 1 << 6,
        /// <summary><c>async?</c>.</summary>
        Async = 1 << 7,
        /// <summary><c>(memory m)</c>.</summary>
        Memory = 1 << 8,
        /// <summary>Canonical options.</summary>
        Options = 1 << 9,
    }

    /// <summary>The built-ins after <c>lift</c> and <c>lower</c> (Binary.md, <c>canon</c>).</summary>
    private static readonly (string Name, byte Code, Immediates Immediates)[] BuiltIns =
    [
        ("resource.new", 0x02, Immediates.Type), ("resource.drop", 0x03, Immediates.Type), ("resource.rep", 0x04, Immediates.Type),
        ("backpressure.inc", 0x24, Immediates.None), ("backpressure.dec", 0x25, Immediates.None),
        ("task.return", 0x09, Immediates.Result | Immediates.Options), ("task.cancel", 0x05, Immediates.None),
        ("context.get", 0x0A, Immediates.Slot), ("context.set", 0x0B, Immediates.Slot),
        ("subtask.cancel", 0x06, Immediates.Async), ("subtask.drop", 0x0D, Immediates.None),
        ("stream.new", 0x0E, Immediates.Type), ("stream.read", 0x0F, Immediates.Type | Immediates.Options),
        ("stream.write", 0x10, Immediates.Type | Immediates.Options), ("stream.cancel-read", 0x11, Immediates.Type | Immediates.Async),
        ("stream.cancel-write", 0x12, Immediates.Type | Immediates.Async), ("stream.drop-readable", 0x13, Immediates.Type),
        ("stream.drop-writable", 0x14, Immediates.Type),
        ("future.new", 0x15, Immediates.Type), ("future.read", 0x16, Immediates.Type | Immediates.Options),
        ("future.write", 0x17, Immediates.Type | Immediates.Options), ("future.cancel-read", 0x18, Immediates.Type | Immediates.Async),
        ("future.cancel-write", 0x19, Immediates.Type | Immediates.Async), ("future.drop-readable", 0x1A, Immediates.Type),
        ("future.drop-writable", 0x1B, Immediates.Type),
        ("error-context.new", 0x1C, Immediates.Options), ("error-context.debug-message", 0x1D, Immediates.Options),
        ("error-context.drop", 0x1E, Immediates.None),
        ("waitable-set.new", 0x1F, Immediates.None), ("waitable-set.wait", 0x20, Immediates.Cancel | Immediates.Memory),
        ("waitable-set.poll", 0x21, Immediates.Cancel | Immediates.Memory), ("waitable-set.drop", 0x22, Immediates.None),
        ("waitable.join", 0x23, Immediates.None),
        ("thread.index", 0x26, Immediates.None), ("thread.new-indirect", 0x27, Immediates.CoreType | Immediates.CoreTable),
        ("thread.resume-later", 0x28, Immediates.None), ("thread.suspend", 0x29, Immediates.Cancel),
        ("thread.yield", 0x0C, Immediates.Cancel), ("thread.suspend-then-resume", 0x2A, Immediates.Cancel),
        ("thread.yield-then-resume", 0x2B, Immediates.Cancel), ("thread.suspend-then-promote", 0x2C, Immediates.Cancel),
        ("thread.yield-then-promote", 0x2D, Immediates.Cancel),
        ("thread.spawn-ref", 0x40, Immediates.Shared | Immediates.CoreType),
        ("thread.spawn-indirect", 0x41, Immediates.Shared | Immediates.CoreType | Immediates.CoreTable),
        ("thread.available-parallelism", 0x42, Immediates.Shared),
    ];

    /// <summary>Canonical options that are a keyword alone.</summary>
    private static readonly Keywords FlagOptions = new(
        ("string-encoding=utf8", 0x00), ("string-encoding=utf16", 0x01), ("string-encoding=latin1+utf16", 0x02), ("async", 0x06));

    /// <summary>Canonical options that name a core memory (<c>(memory m)</c>) or a core function (the others).</summary>
    private static readonly Keywords IndexOptions = new(("memory", 0x03), ("realloc", 0x04), ("post-return", 0x05), ("callback", 0x07));

    /// <summary><c>(canon op ... (core func $id?))</c>, or for lift <c>(canon lift ... (func $id? type))</c>.</summary>
    private void CanonDefinition(Token at)
    {
        var op = _p.Next();
        var w = new WasmWriter();
        var sort = CanonOperation(op, w);
        _p.ExpectLeftParen();
        if (sort == Sort.CoreFunc) _p.ExpectKeyword("core"u8);
        _p.ExpectKeyword("func"u8);
        string? id = _p.TakeId();
        if (sort == Sort.Func) w.U32((uint)FuncTypeUse());
        _p.ExpectRightParen();
        Emit(at, Item.Canon, w);
        Define(sort, at, id);
    }

    /// <summary>A canonical definition's operation <paramref name="op"/> and its immediates, up to what it
    /// defines; returns that sort. For lift the function type's index, which comes last, is the caller's.</summary>
    private Sort CanonOperation(Token op, WasmWriter w)
    {
        if (op.Kind != TokenKind.Keyword) throw _p.Unexpected(op);
        var name = _p.Text(op);
        if (name.SequenceEqual("lift"u8) || name.SequenceEqual("lower"u8))
        {
            bool lift = name[1] == 'i';
            w.Bytes([lift ? (byte)0x00 : (byte)0x01, 0x00]);
            w.U32((uint)Reference(lift ? Sort.CoreFunc : Sort.Func));
            CanonOptions(w);
            return lift ? Sort.Func : Sort.CoreFunc;
        }
        string text = _p.String(op);
        int i = Array.FindIndex(BuiltIns, b => b.Name == text);
        if (i < 0) throw _p.Unexpected(op);
        var (_, code, immediates) = BuiltIns[i];
        w.Byte(code);
        if (immediates.HasFlag(Immediates.Shared)) w.Byte(_p.TakeKeyword("shared"u8) ? (byte)0x01 : (byte)0x00);
        if (immediates.HasFlag(Immediates.Slot))
        {
            w.Byte(CoreValueType());
            w.U32(_p.ExpectU32());
        }
        if (immediates.HasFlag(Immediates.Result)) ResultList(w);
        if (immediates.HasFlag(Immediates.Type)) w.U32((uint)Reference(Sort.Type));
        if (immediates.HasFlag(Immediates.CoreType)) w.U32((uint)Reference(Sort.CoreType));
        if (immediates.HasFlag(Immediates.CoreTable)) w.U32((uint)Reference(Sort.CoreTable));
        if (immediates.HasFlag(Immediates.Cancel)) w.Byte(_p.TakeKeyword("cancellable"u8) ? (byte)0x01 : (byte)0x00);
        if (immediates.HasFlag(Immediates.Async)) w.Byte(_p.TakeKeyword("async"u8) ? (byte)0x01 : (byte)0x00);
        if (immediates.HasFlag(Immediates.Memory))
        {
            if (!_p.TakeForm("memory"u8)) throw _p.Unexpected(_p.Peek());
            w.U32((uint)Reference(Sort.CoreMemory));
            _p.ExpectRightParen();
        }
        if (immediates.HasFlag(Immediates.Options)) CanonOptions(w);
        return Sort.CoreFunc;
    }

    /// <summary><c>opts</c>: the canonical options that are next, as a vector.</summary>
    private void CanonOptions(WasmWriter w)
    {
        var options = new WasmWriter(16);
        int count = 0;
        for (; ; count++)
        {
            var t = _p.Peek();
            if (t.Kind == TokenKind.Keyword && FlagOptions.Find(_p.Text(t)) is byte flag)
            {
                _p.Next();
                options.Byte(flag);
                continue;
            }
            if (t.Kind != TokenKind.LeftParen || _p.Peek(1).Kind != TokenKind.Keyword) break;
            if (IndexOptions.Find(_p.Text(_p.Peek(1))) is not byte code) break;
            _p.Position += 2;
            options.Byte(code);
            options.U32((uint)Reference(code == 0x03 ? Sort.CoreMemory : Sort.CoreFunc));
            _p.ExpectRightParen();
        }
        w.U32((uint)count);
        w.Bytes(options.Written);
    }
}
