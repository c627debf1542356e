namespace WasmSharp.Components;

/// <summary>
/// A resource the host holds, as <c>own&lt;R&gt;</c> and <c>borrow&lt;R&gt;</c> map to .NET: what an export returns as
/// <c>own</c>, and what the host passes back. Passing it as <c>own</c> moves it into the callee (it is then
/// <see cref="IsMoved"/>); as <c>borrow</c> it is lent for the call. <see cref="Dispose"/> drops a resource the host
/// still owns, running the resource type's destructor, as <c>resource.drop</c> does.
/// </summary>
public sealed class Resource : IDisposable
{
    private uint _rep;

    public Resource(ResourceType type, uint rep)
    {
        Type = type;
        _rep = rep;
    }

    public ResourceType Type { get; }

    /// <summary>The representation: what the implementing component knows the resource by.</summary>
    public uint Rep => IsMoved || IsDropped ? throw new ObjectDisposedException(nameof(Resource), Gone) : _rep;

    /// <summary>Given away as an <c>own</c> argument: the callee owns it now.</summary>
    public bool IsMoved { get; private set; }

    /// <summary>Dropped by <see cref="Dispose"/>.</summary>
    public bool IsDropped { get; private set; }

    private string Gone => IsMoved ? $"the {Type} resource was moved into a call" : $"the {Type} resource was dropped";

    /// <summary>The representation, the resource leaving the host (an <c>own</c> argument).</summary>
    internal uint Move()
    {
        uint rep = Rep;
        IsMoved = true;
        return rep;
    }

    /// <summary>Drops the resource if the host still owns it: its destructor runs. Does nothing after a move or a
    /// drop.</summary>
    public void Dispose()
    {
        if (IsMoved || IsDropped) return;
        IsDropped = true;
        Type.Destructor?.Invoke(_rep);
    }

    public override string ToString() => IsMoved || IsDropped ? $"{Type} ({(IsMoved ? "moved" : "dropped")})" : $"{Type} #{_rep}";
}
