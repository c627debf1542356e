using Sort = WasmSharp.Components.Binary.Sort;
using static WasmSharp.Components.Binary.SortExtensions;
using WasmSharp.Text;

namespace WasmSharp.Components.Text;

/// <summary>Indices: numbers and names per scope and sort, the <c>(sort idx "name"*)</c> abbreviation of export
/// aliases, and outer aliases.</summary>
internal sealed partial class ComponentParser
{
    /// <summary>An <c>idx</c> of <paramref name="sort"/>: a number, or a name of the current scope (or, for a sort
    /// outer aliases may name, of an enclosing one).</summary>
    private int Index(Sort sort)
    {
        var t = _p.Peek();
        if (t.Kind == TokenKind.Id)
        {
            _p.Next();
            return Resolve(sort, t);
        }
        if (_p.IsUnsigned()) return (int)_p.ExpectU32();
        throw _p.Unexpected(t);
    }

    private int Resolve(Sort sort, Token t)
    {
        if (_p.TryFind(_scope[sort].Names, t, out int index)) return index;
        string name = _p.IdName(t);
        if (sort.IsOuterAliasable())
        {
            if (_scope.OuterAliases.TryGetValue((sort, name), out index)) return index;
            int count = 1;
            for (var outer = _scope.Parent; outer is not null; outer = outer.Parent, count++)
            {
                if (!_p.TryFind(outer[sort].Names, t, out int target)) continue;
                // The Explainer's rule for names of enclosing scopes: an outer alias, added once.
                var w = new WasmWriter();
                OuterAlias(w, sort, count, target);
                Emit(t, Item.Alias, w);
                index = Define(sort, t, null);
                _scope.OuterAliases[(sort, name)] = index;
                return index;
            }
        }
        throw _p.Error(t, $"unknown {sort.Name()}: {name}");
    }

    /// <summary><c>idx "name"*</c>: with names, the Explainer's abbreviation of export aliases, each name an
    /// alias of the instance before it (the last one of <paramref name="sort"/>, the others instances). Core
    /// instances export the core sorts a core module can (funcs, tables, memories, globals, tags); anything else,
    /// core modules too, comes from a component instance.</summary>
    private int AliasedIndex(Sort sort)
    {
        if (_p.Peek(1).Kind != TokenKind.String) return Index(sort);
        bool coreExport = sort <= Sort.CoreTag;
        var instanceSort = coreExport ? Sort.CoreInstance : Sort.Instance;
        int index = Index(instanceSort);
        while (_p.Peek().Kind == TokenKind.String)
        {
            var at = _p.Peek();
            string name = _p.ExpectName();
            var target = _p.Peek().Kind == TokenKind.String ? instanceSort : sort;
            var w = new WasmWriter();
            target.Write(w);
            w.Byte(coreExport ? (byte)0x01 : (byte)0x00);
            w.U32((uint)index);
            w.Name(name);
            Emit(at, Item.Alias, w);
            index = Define(target, at, null);
        }
        return index;
    }

    /// <summary><c>(sort idx "name"*)</c>: a sort (core sorts after <c>core</c>, which <paramref name="core"/>
    /// lets be left out) and an index of it.</summary>
    private (Sort Sort, int Index) SortIndex(bool core)
    {
        _p.ExpectLeftParen();
        var sort = TakeSort(core);
        int index = AliasedIndex(sort);
        _p.ExpectRightParen();
        return (sort, index);
    }

    /// <summary>A sort keyword, <c>core</c> and a core sort, or (with <paramref name="core"/>) a core sort alone.</summary>
    private Sort TakeSort(bool core)
    {
        core |= _p.TakeKeyword("core"u8);
        var t = _p.Next();
        if (t.Kind != TokenKind.Keyword) throw _p.Unexpected(t);
        return Sorts.Find(_p.Text(t), core) ?? throw _p.Unexpected(t);
    }

    /// <summary>An index of <paramref name="sort"/>, bare or as <c>(sort idx "name"*)</c> (<c>core</c> optional
    /// for a core sort).</summary>
    private int Reference(Sort sort)
    {
        if (_p.Peek().Kind != TokenKind.LeftParen) return Index(sort);
        var at = _p.Peek(1);
        var (given, index) = SortIndex(sort.IsCore());
        if (given != sort) throw _p.Error(at, $"expected a {sort.Name()} index");
        return index;
    }

    /// <summary>The rest of <c>(alias export i "n" (sort $id?))</c>, <c>(alias core export ...)</c> or
    /// <c>(alias outer ct idx (sort $id?))</c> after <c>alias</c>; with <paramref name="sort"/> given, the
    /// definition form <c>(sort $id? (alias ...))</c>, whose target is not repeated. Returns the new index.</summary>
    private int Alias(Token at, Sort? sort, string? id)
    {
        var w = new WasmWriter();
        if (_p.TakeKeyword("outer"u8))
        {
            var scope = _p.Next();
            var target = _p.Next();
            if (sort is null) (sort, id) = AliasTarget();
            var (count, outer) = OuterScope(scope);
            int index;
            if (target.Kind == TokenKind.Id)
            {
                if (outer is null) throw _p.Error(scope, "outer count beyond the outermost component");
                if (!_p.TryFind(outer[sort.Value].Names, target, out index))
                    throw _p.Error(target, $"unknown {sort.Value.Name()}: {_p.IdName(target)}");
            }
            else index = (int)U32Of(target);
            OuterAlias(w, sort.Value, count, index);
        }
        else
        {
            bool core = _p.TakeKeyword("core"u8);
            _p.ExpectKeyword("export"u8);
            int instance = Index(core ? Sort.CoreInstance : Sort.Instance);
            string name = _p.ExpectName();
            if (sort is null) (sort, id) = AliasTarget();
            sort.Value.Write(w);
            w.Byte(core ? (byte)0x01 : (byte)0x00);
            w.U32((uint)instance);
            w.Name(name);
        }
        Emit(at, Item.Alias, w);
        return Define(sort.Value, at, id);
    }

    /// <summary>An alias's <c>(sort $id?)</c>. In a core module type, <c>type</c> is its core type.</summary>
    private (Sort, string?) AliasTarget()
    {
        _p.ExpectLeftParen();
        var sort = TakeSort(core: false);
        if (_scope.Kind == ScopeKind.ModuleType && sort == Sort.Type) sort = Sort.CoreType;
        string? id = _p.TakeId();
        _p.ExpectRightParen();
        return (sort, id);
    }

    /// <summary>The scope an outer alias counts out to: by number, or by the <c>$name</c> of an enclosing component
    /// or type (0 is the current scope). The scope is null for a number beyond the outermost one (which the
    /// validator rejects).</summary>
    private (int Count, ComponentScope? Scope) OuterScope(Token t)
    {
        if (t.Kind == TokenKind.Id)
        {
            int count = 0;
            for (var s = _scope; s is not null; s = s.Parent, count++)
                if (_p.IdEquals(t, s.Id)) return (count, s);
            throw _p.Error(t, $"unknown outer scope: {_p.IdName(t)}");
        }
        int n = (int)U32Of(t);
        var scope = _scope;
        for (int i = 0; i < n && scope is not null; i++) scope = scope.Parent;
        return (n, scope);
    }

    /// <summary>The u32 literal <paramref name="t"/>, a token already read.</summary>
    private uint U32Of(Token t)
    {
        if (t.Kind != TokenKind.Reserved) throw _p.Unexpected(t);
        return (uint)_p.Literal(t, TextNumbers.ParseUnsigned(_p.Text(t), uint.MaxValue, out ulong v), v);
    }

    /// <summary>An outer alias: <c>sort 0x02 ct idx</c>, or in a core module type <c>core:alias</c>.</summary>
    private void OuterAlias(WasmWriter w, Sort sort, int count, int index)
    {
        if (_scope.Kind == ScopeKind.ModuleType) w.Bytes([0x10, 0x01]);
        else
        {
            sort.Write(w);
            w.Byte(0x02);
        }
        w.U32((uint)count);
        w.U32((uint)index);
    }
}
