using Sort = WasmSharp.Components.Binary.Sort;
using static WasmSharp.Components.Binary.SortExtensions;
using WasmSharp.Text;

namespace WasmSharp.Components.Text;

/// <summary>Types: value, function, resource, component and instance types, the extern types of imports and
/// exports, and core function and module types.</summary>
internal sealed partial class ComponentParser
{
    /// <summary><c>primvaltype</c>: the value types with a one-byte encoding.</summary>
    private static readonly Keywords Primitives = new(
        ("bool", 0x7F), ("s8", 0x7E), ("u8", 0x7D), ("s16", 0x7C), ("u16", 0x7B), ("s32", 0x7A), ("u32", 0x79),
        ("s64", 0x78), ("u64", 0x77), ("f32", 0x76), ("f64", 0x75), ("char", 0x74), ("string", 0x73), ("error-context", 0x64));

    /// <summary>Core value types (a component's core function and module types, resource representations).</summary>
    private static readonly Keywords CoreValueTypes = new(
        ("i32", 0x7F), ("i64", 0x7E), ("f32", 0x7D), ("f64", 0x7C), ("v128", 0x7B), ("funcref", 0x70), ("externref", 0x6F), ("exnref", 0x69));

    /// <summary><c>(type $id? (export "x")* deftype)</c>, in a component or a component or instance type.</summary>
    private void TypeDefinition(Token at) => Exportable(at, Sort.Type, id =>
    {
        if (TakeAliasDefinition(at, Sort.Type, id) is int alias) return alias;
        var w = new WasmWriter();
        DefinedType(w, id);
        Emit(at, Item.Type, w);
        return Define(Sort.Type, at, id);
    });

    /// <summary><c>deftype</c>: a value, resource, function, component or instance type.</summary>
    private void DefinedType(WasmWriter w, string? id)
    {
        var t = _p.Peek();
        if (t.Kind == TokenKind.Keyword)
        {
            w.Byte(Primitives.Find(_p.Text(t)) ?? throw _p.Unexpected(t));
            _p.Next();
            return;
        }
        _p.ExpectLeftParen();
        var keyword = _p.Next();
        switch (keyword.Kind == TokenKind.Keyword ? _p.String(keyword) : "")
        {
            case "func": w.Bytes(FuncType()); break;
            case "component": w.Bytes(Nested(ScopeKind.ComponentType, id, Declaration)); break;
            case "instance": w.Bytes(Nested(ScopeKind.InstanceType, id, Declaration)); break;
            case "resource": ResourceType(w); break;
            default: ValueTypeBody(keyword, w); break;
        }
        _p.ExpectRightParen();
    }

    /// <summary>A declarator of a component or instance type.</summary>
    private void Declaration(Token keyword)
    {
        switch (_p.String(keyword))
        {
            case "core":
                _p.ExpectKeyword("type"u8);
                CoreTypeDefinition(keyword);
                break;
            case "type": TypeDefinition(keyword); break;
            case "alias": Alias(keyword, null, null); break;
            case "import": ImportOrExportDeclaration(keyword, Item.Import); break;
            case "export": ImportOrExportDeclaration(keyword, Item.Export); break;
            default: throw _p.Unexpected(keyword);
        }
    }

    /// <summary><c>valtype</c>: a primitive, a type index (encoded as the binary format's s33), or an inline
    /// value type, defined before the type that holds it.</summary>
    private void ValueType(WasmWriter w)
    {
        var t = _p.Peek();
        if (t.Kind == TokenKind.Keyword)
        {
            w.Byte(Primitives.Find(_p.Text(t)) ?? throw _p.Unexpected(t));
            _p.Next();
            return;
        }
        if (t.Kind == TokenKind.LeftParen)
        {
            _p.Next();
            var inline = new WasmWriter();
            ValueTypeBody(_p.Next(), inline);
            _p.ExpectRightParen();
            Emit(t, Item.Type, inline);
            w.S64(Define(Sort.Type, t, null));
            return;
        }
        w.S64(Index(Sort.Type));
    }

    /// <summary>An optional <c>valtype</c> (<c>&lt;T&gt;?</c>): 0x00, or 0x01 and the type; absent before a
    /// <c>)</c>, or before <paramref name="stop"/>.</summary>
    private void OptionalValueType(WasmWriter w, ReadOnlySpan<byte> stop = default)
    {
        if (_p.AtRightParen || !stop.IsEmpty && _p.IsForm(stop))
        {
            w.Byte(0x00);
            return;
        }
        w.Byte(0x01);
        ValueType(w);
    }

    /// <summary>A compound <c>defvaltype</c> after its <c>(</c> and keyword <paramref name="keyword"/>, up to its
    /// <c>)</c>.</summary>
    private void ValueTypeBody(Token keyword, WasmWriter w)
    {
        if (keyword.Kind != TokenKind.Keyword) throw _p.Unexpected(keyword);
        switch (_p.String(keyword))
        {
            case "record":
                w.Byte(0x72);
                Many(w, "field"u8, f =>
                {
                    f.Name(_p.ExpectName());
                    ValueType(f);
                });
                break;
            case "variant":
                w.Byte(0x71);
                Many(w, "case"u8, c =>
                {
                    _p.TakeId();
                    c.Name(_p.ExpectName());
                    OptionalValueType(c);
                    c.Byte(0x00);
                });
                break;
            case "list":
            {
                var element = new WasmWriter(8);
                ValueType(element);
                bool fixedLength = !_p.AtRightParen;
                w.Byte(fixedLength ? (byte)0x67 : (byte)0x70);
                w.Bytes(element.Written);
                if (fixedLength) w.U32(_p.ExpectU32());
                break;
            }
            case "tuple":
                w.Byte(0x6F);
                Until(w, ValueType);
                break;
            case "flags":
                w.Byte(0x6E);
                Until(w, l => l.Name(_p.ExpectName()));
                break;
            case "enum":
                w.Byte(0x6D);
                Until(w, l => l.Name(_p.ExpectName()));
                break;
            case "option":
                w.Byte(0x6B);
                ValueType(w);
                break;
            case "result":
                w.Byte(0x6A);
                OptionalValueType(w, "error"u8);
                if (_p.TakeForm("error"u8))
                {
                    w.Byte(0x01);
                    ValueType(w);
                    _p.ExpectRightParen();
                }
                else w.Byte(0x00);
                break;
            case "own":
                w.Byte(0x69);
                w.U32((uint)Index(Sort.Type));
                break;
            case "borrow":
                w.Byte(0x68);
                w.U32((uint)Index(Sort.Type));
                break;
            case "stream":
                w.Byte(0x66);
                OptionalValueType(w);
                break;
            case "future":
                w.Byte(0x65);
                OptionalValueType(w);
                break;
            case "map":
                w.Byte(0x63);
                ValueType(w);
                ValueType(w);
                break;
            default:
                throw _p.Unexpected(keyword);
        }
    }

    /// <summary>A vector of the items <paramref name="item"/> reads, up to a <c>)</c>.</summary>
    private void Until(WasmWriter w, Action<WasmWriter> item)
    {
        var items = new WasmWriter();
        int count = 0;
        for (; !_p.AtRightParen; count++) item(items);
        w.U32((uint)count);
        w.Bytes(items.Written);
    }

    /// <summary><c>functype</c> after <c>(func</c>: <c>async? (param "l" t)* (result t)?</c>.</summary>
    private byte[] FuncType()
    {
        var w = new WasmWriter();
        w.Byte(_p.TakeKeyword("async"u8) ? (byte)0x43 : (byte)0x40);
        Many(w, "param"u8, p =>
        {
            p.Name(_p.ExpectName());
            ValueType(p);
        });
        ResultList(w);
        return w.ToArray();
    }

    /// <summary><c>resultlist</c>: <c>(result t)</c> as 0x00 and the type, none as 0x01 0x00.</summary>
    private void ResultList(WasmWriter w)
    {
        if (!_p.TakeForm("result"u8))
        {
            w.Bytes([0x01, 0x00]);
            return;
        }
        w.Byte(0x00);
        ValueType(w);
        _p.ExpectRightParen();
    }

    /// <summary>A func's type: <c>(type idx)</c>, or an inline function type defined before.</summary>
    private int FuncTypeUse() => TypeUse(Sort.Type, Item.Type, FuncType);

    /// <summary><c>(type idx)</c> of <paramref name="sort"/> if it is next; otherwise the type
    /// <paramref name="inline"/> reads, defined as <paramref name="kind"/> before the definition that uses it.</summary>
    private int TypeUse(Sort sort, Item kind, Func<byte[]> inline)
    {
        if (_p.IsForm("type"u8) && (_p.Peek(2).Kind == TokenKind.Id || IsUnsignedAt(2)) && _p.Peek(3).Kind == TokenKind.RightParen)
        {
            _p.Position += 2;
            int index = Index(sort);
            _p.ExpectRightParen();
            return index;
        }
        var at = _p.Peek();
        var w = new WasmWriter();
        w.Bytes(inline());
        Emit(at, kind, w);
        return Define(sort, at, null);
    }

    /// <summary><c>resourcetype</c> after <c>(resource</c>: <c>(rep i32)</c> and an optional <c>(dtor f)</c>.</summary>
    private void ResourceType(WasmWriter w)
    {
        w.Byte(0x3F);
        if (!_p.TakeForm("rep"u8)) throw _p.Unexpected(_p.Peek());
        var rep = _p.Next();
        w.Byte(rep.Kind == TokenKind.Keyword && CoreValueTypes.Find(_p.Text(rep)) is byte b ? b : throw _p.Unexpected(rep));
        _p.ExpectRightParen();
        if (_p.TakeForm("dtor"u8))
        {
            w.Byte(0x01);
            w.U32((uint)Reference(Sort.CoreFunc));
            _p.ExpectRightParen();
        }
        else w.Byte(0x00);
    }

    /// <summary><c>externtype</c> with its bound name: <c>(sort $id? type)</c>. Returns the sort and name.</summary>
    private (Sort Sort, string? Id) ExternType(WasmWriter w)
    {
        _p.ExpectLeftParen();
        var at = _p.Peek();
        var sort = TakeSort(core: false);
        string? id = _p.TakeId();
        ExternTypeBody(at, sort, w);
        _p.ExpectRightParen();
        return (sort, id);
    }

    /// <summary>An <c>externtype</c> of <paramref name="sort"/> after its sort and name: a type use or an inline
    /// type, or a value's or type's bound.</summary>
    private void ExternTypeBody(Token at, Sort sort, WasmWriter w)
    {
        switch (sort)
        {
            case Sort.CoreModule:
                w.Bytes([0x00, 0x11]);
                w.U32((uint)TypeUse(Sort.CoreType, Item.CoreType, () => Nested(ScopeKind.ModuleType, null, ModuleDeclaration)));
                break;
            case Sort.Func:
                w.Byte(0x01);
                w.U32((uint)FuncTypeUse());
                break;
            case Sort.Value:
                w.Byte(0x02);
                if (_p.TakeForm("eq"u8))
                {
                    w.Byte(0x00);
                    w.U32((uint)Index(Sort.Value));
                    _p.ExpectRightParen();
                }
                else
                {
                    w.Byte(0x01);
                    ValueType(w);
                }
                break;
            case Sort.Type:
                w.Byte(0x03);
                if (_p.TakeForm("eq"u8))
                {
                    w.Byte(0x00);
                    w.U32((uint)Index(Sort.Type));
                }
                else if (_p.TakeForm("sub"u8))
                {
                    _p.ExpectKeyword("resource"u8);
                    w.Byte(0x01);
                }
                else throw _p.Unexpected(_p.Peek());
                _p.ExpectRightParen();
                break;
            case Sort.Component:
                w.Byte(0x04);
                w.U32((uint)TypeUse(Sort.Type, Item.Type, () => Nested(ScopeKind.ComponentType, null, Declaration)));
                break;
            case Sort.Instance:
                w.Byte(0x05);
                w.U32((uint)TypeUse(Sort.Type, Item.Type, () => Nested(ScopeKind.InstanceType, null, Declaration)));
                break;
            default:
                throw _p.Error(at, $"a {sort.Name()} has no extern type");
        }
    }

    // ---- core types ----

    /// <summary><c>(core type $id? (func ...))</c> or <c>(core type $id? (module ...))</c>; in a module type,
    /// <c>(type ...)</c>.</summary>
    private void CoreTypeDefinition(Token at)
    {
        string? id = _p.TakeId();
        if (TakeAliasDefinition(at, Sort.CoreType, id) is not null) return;
        _p.ExpectLeftParen();
        var keyword = _p.Next();
        var w = new WasmWriter();
        if (_p.Text(keyword).SequenceEqual("func"u8)) w.Bytes(CoreFuncType());
        else if (_p.Text(keyword).SequenceEqual("module"u8)) w.Bytes(Nested(ScopeKind.ModuleType, id, ModuleDeclaration));
        else throw _p.Unexpected(keyword);
        _p.ExpectRightParen();
        Emit(at, Item.CoreType, w);
        Define(Sort.CoreType, at, id);
    }

    /// <summary>A core function type after <c>(func</c>: <c>(param $id? t*)* (result t*)*</c>, as 0x60 and
    /// two vectors.</summary>
    private byte[] CoreFuncType()
    {
        var w = new WasmWriter();
        w.Byte(0x60);
        CoreTypes(w, "param"u8);
        CoreTypes(w, "result"u8);
        return w.ToArray();
    }

    /// <summary>The core value types of the <c>(keyword ...)</c> forms that are next, as one vector.</summary>
    private void CoreTypes(WasmWriter w, ReadOnlySpan<byte> keyword)
    {
        var types = new WasmWriter(16);
        while (_p.TakeForm(keyword))
        {
            _p.TakeId();
            while (!_p.AtRightParen) types.Byte(CoreValueType());
            _p.ExpectRightParen();
        }
        w.U32((uint)types.Length);
        w.Bytes(types.Written);
    }

    private byte CoreValueType()
    {
        var t = _p.Next();
        return t.Kind == TokenKind.Keyword && CoreValueTypes.Find(_p.Text(t)) is byte b ? b : throw _p.Unexpected(t);
    }

    /// <summary>A declarator of a core module type: import, type, outer alias or export.</summary>
    private void ModuleDeclaration(Token keyword)
    {
        switch (_p.String(keyword))
        {
            case "import":
            {
                var w = new WasmWriter();
                w.Name(_p.ExpectName());
                w.Name(_p.ExpectName());
                CoreExternType(w);
                Emit(keyword, Item.Import, w);
                break;
            }
            case "export":
            {
                var w = new WasmWriter();
                w.Name(_p.ExpectName());
                CoreExternType(w);
                Emit(keyword, Item.Export, w);
                break;
            }
            case "type": CoreTypeDefinition(keyword); break;
            case "alias": Alias(keyword, null, null); break;
            default: throw _p.Unexpected(keyword);
        }
    }

    /// <summary><c>core:externtype</c>: <c>(func $id? typeuse)</c>, <c>(table ...)</c>, <c>(memory ...)</c>,
    /// <c>(global ...)</c> or <c>(tag $id? typeuse)</c>.</summary>
    private void CoreExternType(WasmWriter w)
    {
        _p.ExpectLeftParen();
        var keyword = _p.Next();
        var sort = keyword.Kind == TokenKind.Keyword ? Sorts.Find(_p.Text(keyword), core: true) : null;
        _p.TakeId();
        switch (sort)
        {
            case Sort.CoreFunc:
                w.Byte(0x00);
                w.U32((uint)CoreTypeUse());
                break;
            case Sort.CoreTable:
            {
                var limits = new WasmWriter(8);
                Limits(limits);
                w.Byte(0x01);
                w.Byte(CoreValueType());
                w.Bytes(limits.Written);
                break;
            }
            case Sort.CoreMemory:
                w.Byte(0x02);
                Limits(w);
                break;
            case Sort.CoreGlobal:
                w.Byte(0x03);
                bool mutable = _p.TakeForm("mut"u8);
                w.Byte(CoreValueType());
                w.Byte(mutable ? (byte)0x01 : (byte)0x00);
                if (mutable) _p.ExpectRightParen();
                break;
            case Sort.CoreTag:
                w.Bytes([0x04, 0x00]);
                w.U32((uint)CoreTypeUse());
                break;
            default:
                throw _p.Unexpected(keyword);
        }
        _p.ExpectRightParen();
    }

    /// <summary>A core type use: <c>(type idx)</c> (any params and results after it are its own), or inline params
    /// and results, defined as a type of the module type before.</summary>
    private int CoreTypeUse()
    {
        if (!_p.IsForm("type"u8)) return TypeUse(Sort.CoreType, Item.CoreType, CoreFuncType);
        _p.Position += 2;
        int index = Index(Sort.CoreType);
        _p.ExpectRightParen();
        CoreFuncType(); // the params and results that may repeat the type's, read and left to validation
        return index;
    }

    /// <summary>Core limits: <c>i64? min max? shared?</c> (flags 0x01 max, 0x02 shared, 0x04 64-bit).</summary>
    private void Limits(WasmWriter w)
    {
        bool is64 = _p.TakeKeyword("i64"u8);
        if (!is64) _p.TakeKeyword("i32"u8);
        ulong limit = is64 ? ulong.MaxValue : uint.MaxValue;
        ulong min = _p.ExpectUnsigned(limit);
        ulong? max = _p.IsUnsigned() ? _p.ExpectUnsigned(limit) : null;
        bool shared = _p.TakeKeyword("shared"u8);
        w.Byte((byte)((max is null ? 0 : 1) | (shared ? 2 : 0) | (is64 ? 4 : 0)));
        U64(w, min);
        if (max is ulong m) U64(w, m);
    }

    /// <summary>An unsigned LEB128 of up to 64 bits (a 64-bit memory's limits).</summary>
    private static void U64(WasmWriter w, ulong value)
    {
        for (; value >= 0x80; value >>= 7) w.Byte((byte)(value | 0x80));
        w.Byte((byte)value);
    }
}
