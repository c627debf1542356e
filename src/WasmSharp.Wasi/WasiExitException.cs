namespace WasmSharp.Wasi;

/// <summary>
/// Thrown by <c>proc_exit</c> to unwind the guest: the program asked to end with <see cref="ExitCode"/>. It passes
/// through the interpreter untouched (host exceptions surface intact) and is caught by
/// <see cref="WasiPreview1.Run"/>. It is not a trap.
/// </summary>
public sealed class WasiExitException(int exitCode) : Exception($"the program exited with code {exitCode}")
{
    /// <summary>The code the guest passed to proc_exit.</summary>
    public int ExitCode { get; } = exitCode;
}
