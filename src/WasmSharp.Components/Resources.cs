namespace WasmSharp.Components;

/// <summary>The handles a component instance holds (the spec's <c>Table</c>): resource handles now, and later the
/// asynchronous ABI's waitables. Index 0 is never given out; a freed index is reused before the table grows, the
/// last freed first.</summary>
public sealed class HandleTable
{
    /// <summary>The most entries a table may have.</summary>
    public const int MaxLength = (1 << 28) - 1;

    private readonly List<object?> _entries = [null];
    private readonly Stack<int> _free = new();

    /// <summary>The entries in use.</summary>
    public int Count => _entries.Count - 1 - _free.Count;

    /// <summary>The entry at <paramref name="index"/>; traps if there is none.</summary>
    public object Get(uint index) =>
        index < (uint)_entries.Count && _entries[(int)index] is { } entry ? entry : throw CanonicalAbi.Trap($"unknown handle index {index}");

    /// <summary>Puts <paramref name="entry"/> at a free index and returns it; traps if the table is full.</summary>
    public uint Add(object entry)
    {
        if (_free.TryPop(out int i))
        {
            _entries[i] = entry;
            return (uint)i;
        }
        if (_entries.Count > MaxLength) throw CanonicalAbi.Trap("the handle table is full");
        _entries.Add(entry);
        return (uint)(_entries.Count - 1);
    }

    /// <summary>Takes the entry at <paramref name="index"/> out; traps if there is none.</summary>
    public object Remove(uint index)
    {
        var entry = Get(index);
        _entries[(int)index] = null;
        _free.Push((int)index);
        return entry;
    }
}

/// <summary>A handle to a resource in a component instance's table: its type, its representation (what the
/// implementing component knows it by), whether it owns the resource or borrows it for a call, and how many
/// calls it is lent to right now.</summary>
public sealed class ResourceHandle(ResourceType type, uint rep, bool own, CallTask? borrowScope = null)
{
    public ResourceType Type { get; } = type;
    public uint Rep { get; } = rep;
    public bool Own { get; } = own;
    /// <summary>For a borrowed handle, the call it was borrowed for.</summary>
    public CallTask? BorrowScope { get; } = borrowScope;
    /// <summary>The calls in progress this handle is lent to (as a borrow argument).</summary>
    public int Lends { get; internal set; }
}

/// <summary>A call into a component (the spec's <c>Task</c>, synchronous): it must drop every handle borrowed for it
/// before it returns.</summary>
public sealed class CallTask
{
    /// <summary>The borrowed handles the callee holds.</summary>
    public int Borrows { get; internal set; }

    /// <summary>The callee returns: traps if it still holds a borrowed handle.</summary>
    public void Return()
    {
        if (Borrows > 0) throw CanonicalAbi.Trap($"the call returned holding {Borrows} borrowed handle(s)");
    }
}

/// <summary>A call out of a component (the spec's <c>Subtask</c>, synchronous): the handles the caller lent to it,
/// which it may neither drop nor give away until the call returns.</summary>
public sealed class Subcall
{
    private readonly List<ResourceHandle> _lenders = [];

    internal void Lend(ResourceHandle handle)
    {
        handle.Lends++;
        _lenders.Add(handle);
    }

    /// <summary>The call returned: its loans end.</summary>
    public void Resolve()
    {
        foreach (var h in _lenders) h.Lends--;
        _lenders.Clear();
    }
}

/// <summary>Where handles live while values cross a boundary: the instance's table, the instance itself (a borrow
/// of one of its own resources passes the representation), and the calls on either side (lowering a borrow into a
/// callee counts it on <paramref name="Task"/>; lifting one from a caller lends it to <paramref name="Subcall"/>).</summary>
public sealed record ResourceScope(HandleTable Table, object? Instance = null, CallTask? Task = null, Subcall? Subcall = null);

/// <summary>The Canonical ABI's resource operations (definitions.py: canon resource.new, .rep and .drop, and the
/// lifting and lowering of own and borrow handles), with the traps the spec names.</summary>
public static class CanonicalResources
{
    private static ResourceHandle Handle(object entry, uint index, ResourceType type)
    {
        if (entry is not ResourceHandle h) throw CanonicalAbi.Trap($"handle {index} is not a resource handle");
        if (h.Type != type) throw CanonicalAbi.Trap($"handle {index} is a {h.Type}, not a {type}");
        return h;
    }

    /// <summary><c>canon resource.new</c>: a new owning handle to <paramref name="rep"/>.</summary>
    public static uint New(HandleTable table, ResourceType type, uint rep) => table.Add(new ResourceHandle(type, rep, own: true));

    /// <summary><c>canon resource.rep</c>: the representation behind handle <paramref name="index"/>.</summary>
    public static uint Rep(HandleTable table, ResourceType type, uint index) => Handle(table.Get(index), index, type).Rep;

    /// <summary><c>canon resource.drop</c>: drops handle <paramref name="index"/>; an owning handle runs the
    /// resource's destructor, a borrowed one ends its borrow.</summary>
    public static void Drop(HandleTable table, ResourceType type, uint index)
    {
        var h = Handle(table.Get(index), index, type);
        if (h.Lends != 0) throw CanonicalAbi.Trap($"handle {index} is lent to a call in progress");
        table.Remove(index);
        if (h.Own) type.Destructor?.Invoke(h.Rep);
        else h.BorrowScope!.Borrows--;
    }

    /// <summary>Lifts an <c>own</c> handle: takes it out of the table (the ownership moves) and returns its
    /// representation.</summary>
    public static uint LiftOwn(HandleTable table, uint index, OwnType t)
    {
        var h = Handle(table.Get(index), index, t.Resource);
        if (h.Lends != 0) throw CanonicalAbi.Trap($"handle {index} is lent to a call in progress");
        if (!h.Own) throw CanonicalAbi.Trap($"handle {index} is borrowed, not owned");
        table.Remove(index);
        return h.Rep;
    }

    /// <summary>Lifts a <c>borrow</c> handle for the length of <paramref name="call"/>: it stays in the table,
    /// lent until the call returns.</summary>
    public static uint LiftBorrow(HandleTable table, uint index, BorrowType t, Subcall call)
    {
        var h = Handle(table.Get(index), index, t.Resource);
        call.Lend(h);
        return h.Rep;
    }

    /// <summary>Lowers an owned resource into a table: a new owning handle.</summary>
    public static uint LowerOwn(HandleTable table, uint rep, OwnType t) => table.Add(new ResourceHandle(t.Resource, rep, own: true));

    /// <summary>Lowers a borrowed resource into the table of <paramref name="instance"/> for <paramref name="task"/>:
    /// the instance that implements the resource gets its representation itself; any other a borrowed handle that
    /// the call must drop before it returns.</summary>
    public static uint LowerBorrow(HandleTable table, uint rep, BorrowType t, CallTask task, object? instance)
    {
        if (instance is not null && ReferenceEquals(t.Resource.Implementation, instance)) return rep;
        task.Borrows++;
        return table.Add(new ResourceHandle(t.Resource, rep, own: false, task));
    }
}
