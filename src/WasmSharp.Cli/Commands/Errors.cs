using System.Text;

namespace WasmSharp.Cli.Commands;

/// <summary>One-line error messages for the commands.</summary>
internal static class Errors
{
    /// <summary>The message printed for an exception: spec errors by kind, I/O problems plainly, anything else
    /// (a bug, or an unfinished part of WasmSharp) with its type.</summary>
    public static string Describe(Exception ex) => ex switch
    {
        MalformedModuleException => $"malformed module: {ex.Message}",
        WasmSharp.Text.MalformedTextException t => $"malformed text at {t.Line}:{t.Column}: {t.Reason}",
        InvalidModuleException => $"invalid module: {ex.Message}",
        LinkException => $"link error: {ex.Message}",
        TrapException => $"trap: {ex.Message}",
        InputException => ex.Message,
        IOException or UnauthorizedAccessException or PlatformNotSupportedException => ex.Message,
        WasmException => ex.Message,
        _ => $"internal error: {ex.GetType().Name}: {ex.Message}",
    };

    /// <summary>Frames shown from each end of a long backtrace (a runaway recursion has thousands).</summary>
    private const int BacktraceInnermost = 40, BacktraceOutermost = 10;

    /// <summary>A trap as the command reports it: "error: trap: MESSAGE" on one line, then the Wasm functions
    /// that were running, innermost first (names from the module's name section, else func[INDEX]); the middle
    /// of a very deep backtrace is left out.</summary>
    public static string DescribeTrap(TrapException trap)
    {
        var text = new StringBuilder().Append("error: trap: ").Append(trap.Message).Append('\n');
        var frames = trap.WasmBacktrace;
        if (frames.Count > 0)
        {
            text.Append("wasm backtrace:\n");
            for (int i = 0; i < frames.Count; i++)
            {
                if (i == BacktraceInnermost && frames.Count > BacktraceInnermost + BacktraceOutermost + 1)
                {
                    int skipped = frames.Count - BacktraceInnermost - BacktraceOutermost;
                    text.Append($"  ... {skipped} more frames ...\n");
                    i += skipped - 1;
                    continue;
                }
                text.Append($"  {i,3}: {frames[i]}\n");
            }
        }
        return text.ToString();
    }
}
