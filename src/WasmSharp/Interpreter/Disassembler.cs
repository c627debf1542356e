using System.Text;

namespace WasmSharp.Interpreter;

/// <summary>
/// Prints register code, one instruction a line: <c>pc: name operands</c>. Slots print as <c>p0</c> (param),
/// <c>l3</c> (local), <c>c1</c> (constant, with its value) or <c>t2</c> (temporary); targets as <c>@pc</c>.
/// </summary>
internal static class Disassembler
{
    // Operand shapes: d = destination slot, s = source slot, i = immediate, t = target, o = memory offset.
    private static readonly Dictionary<Op, string> Shapes = new()
    {
        [Op.Unreachable] = "", [Op.SimdUnsupported] = "", [Op.Br] = "t", [Op.BrIfNez] = "st", [Op.BrIfEqz] = "st",
        [Op.Return0] = "", [Op.Return1] = "s",
        [Op.Copy] = "ds", [Op.Copy2] = "dsds", [Op.Select] = "dsss", [Op.GlobalGet] = "di", [Op.GlobalSet] = "is",
        [Op.RefFunc] = "di", [Op.RefIsNull] = "ds",
        [Op.MemorySize] = "d", [Op.MemoryGrow] = "ds", [Op.MemoryFill] = "sss", [Op.MemoryCopy] = "sss",
        [Op.MemoryInit] = "isss", [Op.DataDrop] = "i",
        [Op.TableGet] = "dis", [Op.TableSet] = "iss", [Op.TableSize] = "di", [Op.TableGrow] = "diss",
        [Op.I32LoadAddImm] = "dsoi", [Op.I32LoadAddImmStore] = "dsoiso", [Op.GlobalGetAddImm] = "dii",
        [Op.GlobalAddImm] = "dii", [Op.GlobalSetAddImm] = "isi", [Op.I32Load2] = "dsodso", [Op.I64Load2] = "dsodso",
        [Op.I32LoadShl] = "dssiio", [Op.I64LoadShl] = "dssiio", [Op.I32StoreShl] = "ssisio", [Op.I64StoreShl] = "ssisio",
        [Op.I32Store2] = "ssosso", [Op.I64Store2] = "ssosso", [Op.GlobalSetAddImmReturn1] = "isis",
        [Op.I32LoadStoreAddImm] = "dsoiso", [Op.I32AddStore] = "dssso", [Op.I32XorStore] = "dssso",
        [Op.F64AddStore] = "dssso", [Op.F64MulStore] = "dssso", [Op.I32LoadStore] = "dsoso", [Op.I32Load2AddStore] = "dsodsodso", [Op.I32Load2LoadShl] = "dsodsodiio",
        [Op.I32Load2Load8UAdd] = "dsodsodio", [Op.I32Load2Store8Add] = "dsodsosio", [Op.I32Load8UStore8] = "dsoso", [Op.I32Load8SStore8] = "dsoso", [Op.GlobalAddImmStore] = "diiso",
        [Op.TableFill] = "isss", [Op.TableCopy] = "iisss", [Op.TableInit] = "iisss", [Op.ElemDrop] = "i",
    };

    private static string Shape(Op op)
    {
        if (Shapes.TryGetValue(op, out var s)) return s;
        if (op is >= Op.I32Load and <= Op.I64Load32U) return "dso";
        if (op is >= Op.I32LoadAdd and <= Op.I64Load32UAdd) return "dssio";
        if (op is >= Op.I32StoreAdd and <= Op.I64Store32Add) return "sssio";
        if (op is Op.I32AddImm or Op.I64AddImm) return "dsi";
        if (op is >= Op.BrI32Eq and <= Op.BrI32AndNz) return "sst";
        if (op is >= Op.BrI32EqLoad2 and <= Op.BrI32GeULoad2) return "dsodsot";
        if (op is >= Op.BrI32EqLoad and <= Op.BrI32GeULoad) return "sdsot";
        if (op is >= Op.SelectI32Eq and <= Op.SelectI32GeU) return "dssss";
        if (op is >= Op.I32Store and <= Op.I64Store32) return "sso";
        if (op is >= Op.I32TruncSatF32S and <= Op.I64TruncSatF64U) return "ds";
        if (op is >= Op.NumericFirst and <= Op.NumericLast)
            return Validation.NumericOps.TryGet((byte)op, out var sig) && sig.Binary ? "dss" : "ds";
        throw new ArgumentException($"unknown op {(int)op}");
    }

    public static string Name(Op op) => op is >= Op.NumericFirst and <= Op.NumericLast
        ? NumericNames[(int)op - (int)Op.NumericFirst]
        : op.ToString();

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
            else if (op is Op.Call or Op.CallIndirect)
            {
                if (op == Op.CallIndirect) { parts.Add($"type {code[at++]}"); parts.Add($"table {code[at++]}"); parts.Add(Slot(fn, code[at++])); }
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
                var shape = op is Op.BrTable or Op.ReturnN or Op.Call or Op.CallIndirect ? "" : Shape(op);
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

    private static string Slot(CompiledFunction fn, int slot)
    {
        if (slot < fn.ParamCount) return $"p{slot}";
        if (slot < fn.ConstBase) return $"l{slot - fn.ParamCount}";
        if (slot < fn.ConstBase + fn.Constants.Length) return $"#{(long)fn.Constants[slot - fn.ConstBase]}";
        return $"t{slot - fn.ConstBase - fn.Constants.Length}";
    }

    private static readonly string[] NumericNames =
    [
        "i32.eqz", "i32.eq", "i32.ne", "i32.lt_s", "i32.lt_u", "i32.gt_s", "i32.gt_u", "i32.le_s", "i32.le_u", "i32.ge_s", "i32.ge_u",
        "i64.eqz", "i64.eq", "i64.ne", "i64.lt_s", "i64.lt_u", "i64.gt_s", "i64.gt_u", "i64.le_s", "i64.le_u", "i64.ge_s", "i64.ge_u",
        "f32.eq", "f32.ne", "f32.lt", "f32.gt", "f32.le", "f32.ge",
        "f64.eq", "f64.ne", "f64.lt", "f64.gt", "f64.le", "f64.ge",
        "i32.clz", "i32.ctz", "i32.popcnt", "i32.add", "i32.sub", "i32.mul", "i32.div_s", "i32.div_u", "i32.rem_s", "i32.rem_u",
        "i32.and", "i32.or", "i32.xor", "i32.shl", "i32.shr_s", "i32.shr_u", "i32.rotl", "i32.rotr",
        "i64.clz", "i64.ctz", "i64.popcnt", "i64.add", "i64.sub", "i64.mul", "i64.div_s", "i64.div_u", "i64.rem_s", "i64.rem_u",
        "i64.and", "i64.or", "i64.xor", "i64.shl", "i64.shr_s", "i64.shr_u", "i64.rotl", "i64.rotr",
        "f32.abs", "f32.neg", "f32.ceil", "f32.floor", "f32.trunc", "f32.nearest", "f32.sqrt",
        "f32.add", "f32.sub", "f32.mul", "f32.div", "f32.min", "f32.max", "f32.copysign",
        "f64.abs", "f64.neg", "f64.ceil", "f64.floor", "f64.trunc", "f64.nearest", "f64.sqrt",
        "f64.add", "f64.sub", "f64.mul", "f64.div", "f64.min", "f64.max", "f64.copysign",
        "i32.wrap_i64", "i32.trunc_f32_s", "i32.trunc_f32_u", "i32.trunc_f64_s", "i32.trunc_f64_u",
        "i64.extend_i32_s", "i64.extend_i32_u", "i64.trunc_f32_s", "i64.trunc_f32_u", "i64.trunc_f64_s", "i64.trunc_f64_u",
        "f32.convert_i32_s", "f32.convert_i32_u", "f32.convert_i64_s", "f32.convert_i64_u", "f32.demote_f64",
        "f64.convert_i32_s", "f64.convert_i32_u", "f64.convert_i64_s", "f64.convert_i64_u", "f64.promote_f32",
        "i32.reinterpret_f32", "i64.reinterpret_f64", "f32.reinterpret_i32", "f64.reinterpret_i64",
        "i32.extend8_s", "i32.extend16_s", "i64.extend8_s", "i64.extend16_s", "i64.extend32_s",
    ];
}
