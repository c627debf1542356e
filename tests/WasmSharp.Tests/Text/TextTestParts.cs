using WasmSharp.Binary;
using WasmSharp.Tests.Binary;

namespace WasmSharp.Tests.Text;

/// <summary>The parts of binary modules and of printed text that the text format's tests compare: a function's
/// code, a section, the lines of a function's instructions; and where a proposal's scripts are.</summary>
internal static class TextTestParts
{
    public static readonly byte[] Header = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    /// <summary>The instructions of defined function <paramref name="function"/> of <paramref name="binary"/>, without
    /// the final end, in lower-case hex.</summary>
    public static string BodyHex(byte[] binary, int function = 0)
    {
        var info = ModuleReader.Read(binary);
        var body = info.Codes[function];
        Assert.Equal(0x0B, binary[body.CodeOffset + body.CodeLength - 1]);
        return Convert.ToHexString(binary, body.CodeOffset, body.CodeLength - 1).ToLowerInvariant();
    }

    /// <summary>A module of one function, type [] -> [], whose body is <paramref name="code"/> then end (a body of
    /// up to 125 bytes).</summary>
    public static byte[] BinaryWithBody(byte[] code)
    {
        byte[] body = [0x00, .. code, 0x0B];
        return [.. Header, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
            0x0A, (byte)(body.Length + 2), 0x01, (byte)body.Length, .. body];
    }

    /// <summary>Section <paramref name="id"/> of <paramref name="binary"/> whole: id, size and contents.</summary>
    public static byte[] Section(byte[] binary, byte id)
    {
        int i = Header.Length;
        while (i < binary.Length)
        {
            int start = i;
            byte sectionId = binary[i++];
            int size = 0, shift = 0;
            byte b;
            do
            {
                b = binary[i++];
                size |= (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            i += size;
            if (sectionId == id) return binary[start..i];
        }
        throw new Xunit.Sdk.XunitException($"no section {id}");
    }

    /// <summary>The instruction lines of printed function <paramref name="function"/> (counting from the first
    /// function printed), trimmed, after its locals, without the parentheses that close the function and the module
    /// (those a line has beyond the ones it opens: a label comment <c>(;@1;)</c> stays).</summary>
    public static string[] InstructionLines(string text, int function = 0)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).ToArray();
        int at = -1;
        for (int f = 0; f <= function; f++)
            at = Array.FindIndex(lines, at + 1, l => l.StartsWith("(func", StringComparison.Ordinal));
        return lines.Skip(at + 1).SkipWhile(l => l.StartsWith("(local", StringComparison.Ordinal))
            .TakeWhile(l => l.Length > 0 && l[0] != '(')
            .Select(l => l[..^Math.Max(0, l.Count(c => c == ')') - l.Count(c => c == '('))]).ToArray();
    }

    /// <summary>The directory of the spec testsuite's scripts of <paramref name="proposal"/> (proposals/ beside
    /// core/), or null when it is not here.</summary>
    public static string? ProposalDirectory(string proposal) =>
        SpecTestsuite.CoreDirectory is string core && Path.GetFullPath(Path.Combine(core, "..", "proposals", proposal)) is var dir
            && Directory.Exists(dir) ? dir : null;
}

/// <summary>A fact that reads the spec testsuite's scripts of a proposal (proposals/NAME beside core/), skipped,
/// saying why, when they are not here.</summary>
public sealed class ProposalTestsuiteFactAttribute : FactAttribute
{
    public ProposalTestsuiteFactAttribute(string proposal)
    {
        if (TextTestParts.ProposalDirectory(proposal) is null)
            Skip = $"spec testsuite proposals/{proposal} not found (beside core/, see SpecTestsuite)";
    }
}
