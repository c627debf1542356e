using WasmSharp.Llvm.Native;
using static WasmSharp.Llvm.Native.LlvmApi;

namespace WasmSharp.Llvm;

/// <summary>
/// LLVM code generation for this machine: its triple, CPU and features (code built for them is not portable, so
/// they belong in every cache key), position-independent (ld.lld -shared refuses the absolute relocations of jump
/// tables otherwise), at one optimisation level.
/// </summary>
internal sealed unsafe class HostTarget : IDisposable
{
    public string Triple { get; }
    public string Cpu { get; }
    public string Features { get; }
    /// <summary>0 to 3, as -O0 to -O3.</summary>
    public int OptLevel { get; }
    private nint _machine;

    public HostTarget(int optLevel)
    {
        LlvmLibrary.Check();
        if (optLevel is < 0 or > 3) throw new ArgumentOutOfRangeException(nameof(optLevel), optLevel, "0 to 3");
        OptLevel = optLevel;
        Triple = TakeMessage(LLVMGetDefaultTargetTriple());
        Cpu = TakeMessage(LLVMGetHostCPUName());
        Features = TakeMessage(LLVMGetHostCPUFeatures());
        nint target;
        byte* error;
        if (LLVMGetTargetFromTriple(Triple, &target, &error) != 0)
            throw new WasmException($"LLVM has no target for {Triple}: {TakeMessage(error)}");
        _machine = LLVMCreateTargetMachine(target, Triple, Cpu, Features, (LLVMCodeGenOptLevel)optLevel, LLVMRelocMode.PIC, LLVMCodeModel.Default);
        if (_machine == 0) throw new WasmException($"LLVM could not create a target machine for {Triple} ({Cpu})");
    }

    /// <summary>Gives <paramref name="module"/> this machine's triple and data layout (before optimising it).</summary>
    public void Prepare(nint module)
    {
        LLVMSetTarget(module, Triple);
        nint layout = LLVMCreateTargetDataLayout(_machine);
        LLVMSetModuleDataLayout(module, layout);
        LLVMDisposeTargetData(layout);
    }

    /// <summary>
    /// The IR passes of each level, chosen by measurement (sql.js, 0.7 MB, and the bench programs; README, "Native
    /// tier"). Wasm arrives optimised by its own compiler, or not at all (-O0 builds), with every local in an alloca
    /// and every memory access behind a bounds check: what pays is SSA for the locals (sroa), redundant loads and
    /// checks gone (early-cse, gvn), invariant ones hoisted from loops (loop-rotate, licm), and loops unrolled and
    /// vectorised. LLVM's own default&lt;O2&gt; takes 2.3 times as long on sql.js (its inliner, a second round of
    /// every function pass, interprocedural passes) and ran the bench programs no faster.
    /// Loop rotation updates the dominator tree of the whole function for every loop: on a huge function it alone
    /// takes seconds (1.8 s of 2.5 for sql.js's 35 KB interpreter loop), so huge functions go without it and the
    /// loop passes that need it.
    /// </summary>
    internal static string? Pipeline(int optLevel, bool huge) => optLevel switch
    {
        0 => null,
        1 => Lean,
        2 => huge ? Lean : Loops,
        _ => "default<O3>",
    };

    private const string Simplify = "sroa,early-cse<memssa>,simplifycfg,instcombine<no-verify-fixpoint>";
    private const string Lean = $"function({Simplify},loop-mssa(licm),gvn,instcombine<no-verify-fixpoint>,simplifycfg)";
    // Callees before callers (LLVM's call-graph order), each simplified and then inlined into its callers where
    // small: unoptimised (-O0) code calls a helper for every little thing, each call storing its arguments to a
    // stack frame in linear memory. Only within a part; neighbours share one, and helpers tend to sit beside
    // their callers.
    private const string Loops = $"cgscc(inline,function({Simplify})),function(loop(loop-rotate),loop-mssa(licm),gvn," +
        "instcombine<no-verify-fixpoint>,simplifycfg,loop(indvars),loop-vectorize,loop-unroll<O2>,slp-vectorizer," +
        "instcombine<no-verify-fixpoint>,simplifycfg)";

    /// <summary>Checks <paramref name="module"/> (LLVM aborts the process on some broken IR, so nothing broken
    /// reaches it), runs the optimisation pipeline of <see cref="OptLevel"/> (a lighter one where
    /// <paramref name="huge"/>: the module holds a huge function), and returns the object code.</summary>
    public byte[] Compile(nint module, bool huge = false)
    {
        byte* message;
        if (LLVMVerifyModule(module, LLVMVerifierFailureAction.ReturnStatus, &message) != 0)
            throw new InvalidOperationException($"the backend produced invalid LLVM IR: {TakeMessage(message)}");
        TakeMessage(message);
        if (Pipeline(OptLevel, huge) is string pipeline)
        {
            nint options = LLVMCreatePassBuilderOptions();
            try
            {
                nint error = LLVMRunPasses(module, pipeline, _machine, options);
                if (error != 0)
                {
                    byte* text = LLVMGetErrorMessage(error);
                    string why = System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)text) ?? "";
                    LLVMDisposeErrorMessage(text);
                    throw new InvalidOperationException($"LLVM's pass pipeline failed: {why}");
                }
            }
            finally
            {
                LLVMDisposePassBuilderOptions(options);
            }
        }
        nint buffer;
        if (LLVMTargetMachineEmitToMemoryBuffer(_machine, module, LLVMCodeGenFileType.Object, &message, &buffer) != 0)
            throw new WasmException($"LLVM code generation failed: {TakeMessage(message)}");
        try
        {
            return new ReadOnlySpan<byte>(LLVMGetBufferStart(buffer), checked((int)LLVMGetBufferSize(buffer))).ToArray();
        }
        finally
        {
            LLVMDisposeMemoryBuffer(buffer);
        }
    }

    public void Dispose()
    {
        if (_machine != 0) LLVMDisposeTargetMachine(_machine);
        _machine = 0;
    }
}
