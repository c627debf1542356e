namespace WasmSharp.Interpreter;

/// <summary>Runs register code. One per store; Wasm calls do not recurse on the .NET stack.</summary>
internal sealed class Executor
{
    private readonly Store _store;

    public Executor(Store store) => _store = store;

    public void Invoke(Function function, ReadOnlySpan<Value> args, Span<Value> results) => throw new NotImplementedException();
}
