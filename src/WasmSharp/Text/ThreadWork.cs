using System.Runtime.ExceptionServices;

namespace WasmSharp.Text;

/// <summary>Work on a thread of its own, started at once: a large source's parse on a large stack, and the second
/// half of a large source's tokens. <see cref="Join"/> gives the result, or throws what the work threw (with its
/// stack trace).</summary>
internal sealed class ThreadWork<T>
{
    private readonly Thread _thread;
    private T? _result;
    private ExceptionDispatchInfo? _failure;

    public ThreadWork(Func<T> work, int stackSize = 0)
    {
        _thread = new Thread(() =>
        {
            try { _result = work(); }
            catch (Exception e) { _failure = ExceptionDispatchInfo.Capture(e); }
        }, stackSize);
        _thread.Start();
    }

    /// <summary>Waits for the work to end, whatever its outcome.</summary>
    public void Wait() => _thread.Join();

    public T Join()
    {
        _thread.Join();
        _failure?.Throw();
        return _result!;
    }
}
