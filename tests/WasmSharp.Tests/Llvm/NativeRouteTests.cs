using System.Runtime.InteropServices;
using WasmSharp.Llvm;
using WasmSharp.Llvm.Native;
using static WasmSharp.Llvm.Native.LlvmApi;

namespace WasmSharp.Tests.Llvm;

/// <summary>The native tier's route on this machine: LLVM IR through the system's libLLVM to an object, ld.lld-19 to
/// a shared library, loaded and called. scripts/install-deps.sh installs libllvm19 and lld-19.</summary>
public sealed unsafe class NativeRouteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wasmsharp-llvm-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LlvmAndTheLinkerAreFound()
    {
        Assert.Null(LlvmLibrary.Problem);
        Assert.True(LlvmLibrary.IsAvailable);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void IrBecomesALoadedFunction(int optLevel)
    {
        using var target = new HostTarget(optLevel);
        Assert.Contains("x86_64", target.Triple);
        Assert.False(string.IsNullOrEmpty(target.Cpu));
        nint context = LLVMContextCreate();
        try
        {
            // i32 wasmsharp_test_add(i32 a, i32 b) { return a + b; }, beside an internal helper it calls.
            nint module = LLVMModuleCreateWithNameInContext("route", context);
            target.Prepare(module);
            nint i32 = LLVMInt32TypeInContext(context);
            nint* ps = stackalloc nint[] { i32, i32 };
            nint type = LLVMFunctionType(i32, ps, 2, 0);
            nint add = LLVMAddFunction(module, "wasmsharp_test_add", type);
            nint builder = LLVMCreateBuilderInContext(context);
            LLVMPositionBuilderAtEnd(builder, LLVMAppendBasicBlockInContext(context, add, "entry"));
            LLVMBuildRet(builder, LLVMBuildAdd(builder, LLVMGetParam(add, 0), LLVMGetParam(add, 1), "sum"));
            LLVMDisposeBuilder(builder);
            byte[] obj = target.Compile(module);
            LLVMDisposeModule(module);
            Assert.Equal((byte)0x7F, obj[0]); // ELF

            var objPath = Path.Combine(_dir, $"route{optLevel}.o");
            var soPath = Path.Combine(_dir, $"route{optLevel}.so");
            File.WriteAllBytes(objPath, obj);
            SharedLibraryLinker.Link([objPath], soPath);
            nint lib = NativeLibrary.Load(soPath);
            try
            {
                var f = (delegate* unmanaged<int, int, int>)NativeLibrary.GetExport(lib, "wasmsharp_test_add");
                Assert.Equal(42, f(40, 2));
                Assert.Equal(int.MinValue, f(int.MaxValue, 1));
            }
            finally
            {
                NativeLibrary.Free(lib);
            }
        }
        finally
        {
            LLVMContextDispose(context);
        }
    }

    [Fact]
    public void BrokenIrIsRefusedBeforeCodeGeneration()
    {
        using var target = new HostTarget(0);
        nint context = LLVMContextCreate();
        try
        {
            nint module = LLVMModuleCreateWithNameInContext("broken", context);
            nint i32 = LLVMInt32TypeInContext(context);
            nint f = LLVMAddFunction(module, "f", LLVMFunctionType(i32, null, 0, 0));
            LLVMAppendBasicBlockInContext(context, f, "entry"); // a block with no terminator
            var e = Assert.Throws<InvalidOperationException>(() => target.Compile(module));
            Assert.Contains("invalid LLVM IR", e.Message);
            LLVMDisposeModule(module);
        }
        finally
        {
            LLVMContextDispose(context);
        }
    }

    [Fact]
    public void ALinkerErrorIsReported()
    {
        var bogus = Path.Combine(_dir, "not-an-object.o");
        File.WriteAllText(bogus, "hello");
        var e = Assert.Throws<WasmException>(() => SharedLibraryLinker.Link([bogus], Path.Combine(_dir, "x.so")));
        Assert.Contains("ld.lld-19 failed", e.Message);
    }
}
