using System.Text;

namespace WasmSharp.Interpreter;

/// <summary>
/// Prints register code, one instruction a line: <c>pc: name operands</c>. Slots print as <c>p0</c> (param),
/// <c>l3</c> (local), <c>c1</c> (constant, with its value) or <c>t2</c> (temporary); targets as <c>@pc</c>.
/// </summary>
internal static class Disassembler
{
    /// <summary>The fixed operands' kinds (see <see cref="OpInfo.Shape"/>).</summary>
    private static string Shape(Op op) => (uint)op < OpInfo.Count ? OpInfo.Shape(op) : throw new ArgumentException($"unknown op {(int)op}");

    public static string Name(Op op) => OpInfo.Name(op);

    public static string Disassemble(CompiledFunction fn)
    {
        var sb = new StringBuilder();
        sb.Append($"func[{fn.Index}] {fn.Type}: {fn.ParamCount} params, {fn.LocalCount} locals ({fn.ZeroSlots.Length} zeroed on entry), {fn.Constants.Length} constants, frame {fn.FrameSize}\n");
        foreach (var line in Lines(fn)) sb.Append(line).Append('\n');
        return sb.ToString();
    }

    /// <summary>The instructions without pc prefixes, for tests.</summary>
    public static List<string> Lines(CompiledFunction fn, bool withPc = true)
    {
        var lines = new List<string>();
        var code = fn.Code;
        int pc = 0;
        while (pc < code.Length)
        {
            var op = (Op)code[pc];
            var sb = new StringBuilder();
            if (withPc) sb.Append($"{pc,4}: ");
            sb.Append(Name(op));
            int at = pc + 1;
            var parts = new List<string>();
            if (op == Op.BrTable)
            {
                parts.Add(Slot(fn, code[at++]));
                int n = code[at++];
                for (int i = 0; i <= n; i++, at++) parts.Add($"@{at + code[at]}");
            }
            else if (op is Op.Call or Op.CallV128 or Op.CallIndirect or Op.CallIndirectV128)
            {
                if (op is Op.CallIndirect or Op.CallIndirectV128) { parts.Add($"type {code[at++]}"); parts.Add($"table {code[at++]}"); parts.Add(Slot(fn, code[at++])); }
                else parts.Add($"func {code[at++]}");
                parts.Add($"frame {Slot(fn, code[at++])}");
                parts.Add($"result {Slot(fn, code[at++])}");
                int n = code[at++];
                parts.Add("(" + string.Join(", ", Enumerable.Range(0, n).Select(i => Slot(fn, code[at + i]))) + ")");
                at += n;
            }
            else if (op == Op.ReturnN)
            {
                int n = code[at++];
                for (int i = 0; i < n; i++) parts.Add(Slot(fn, code[at++]));
            }
            else
            {
                foreach (char c in Shape(op))
                {
                    int v = code[at];
                    int operandAt = at++;
                    parts.Add(c switch
                    {
                        'd' or 's' => Slot(fn, v),
                        't' => $"@{operandAt + v}",
                        'o' => $"+{(uint)v}",
                        _ => v.ToString(),
                    });
                }
            }
            if (parts.Count > 0)
            {
                var shape = OpInfo.IsVariable(op) ? "" : Shape(op);
                if (op == Op.Copy2)
                    sb.Append(' ').Append(parts[0]).Append(" <- ").Append(parts[1]).Append(", ").Append(parts[2]).Append(" <- ").Append(parts[3]);
                else if (shape.StartsWith('d'))
                    sb.Append(' ').Append(parts[0]).Append(" <- ").Append(string.Join(", ", parts.Skip(1)));
                else
                    sb.Append(' ').Append(string.Join(", ", parts));
            }
            lines.Add(sb.ToString());
            pc = at;
        }
        return lines;
    }

    /// <summary>A slot operand (a word offset) by what it is.</summary>
    private static string Slot(CompiledFunction fn, int words)
    {
        int slot = words / CompiledFunction.SlotWords;
        if (slot < fn.ParamCount) return $"p{slot}";
        if (slot < fn.ConstBase) return $"l{slot - fn.ParamCount}";
        if (slot < fn.ConstBase + fn.Constants.Length) return $"#{(long)fn.Constants[slot - fn.ConstBase]}";
        return $"t{slot - fn.ConstBase - fn.Constants.Length}";
    }
}
