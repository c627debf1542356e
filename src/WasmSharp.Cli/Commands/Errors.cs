namespace WasmSharp.Cli.Commands;

/// <summary>One-line error messages for the commands.</summary>
internal static class Errors
{
    /// <summary>The message printed for an exception: spec errors by kind, I/O problems plainly, anything else
    /// (a bug, or an unfinished part of WasmSharp) with its type.</summary>
    public static string Describe(Exception ex) => ex switch
    {
        MalformedModuleException => $"malformed module: {ex.Message}",
        InvalidModuleException => $"invalid module: {ex.Message}",
        LinkException => $"link error: {ex.Message}",
        TrapException => $"trap: {ex.Message}",
        IOException or UnauthorizedAccessException => ex.Message,
        _ => $"internal error: {ex.GetType().Name}: {ex.Message}",
    };
}
