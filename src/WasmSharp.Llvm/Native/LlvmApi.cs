using System.Runtime.InteropServices;

namespace WasmSharp.Llvm.Native;

/// <summary>
/// The part of LLVM's C API (llvm-c/*.h of LLVM 19) the backend uses, bound with LibraryImport to the system's
/// libLLVM (Debian's libllvm19), which <see cref="LlvmLibrary"/> locates at run time. Handles are opaque pointers;
/// strings LLVM returns are freed with <see cref="LLVMDisposeMessage"/>.
/// </summary>
internal static unsafe partial class LlvmApi
{
    /// <summary>The name the imports use; <see cref="LlvmLibrary"/> resolves it to the installed library.</summary>
    public const string Library = "WasmSharpLLVM";

    // ---- Core: contexts, modules, types -------------------------------------------------------------
    [LibraryImport(Library)] public static partial nint LLVMContextCreate();
    [LibraryImport(Library)] public static partial void LLVMContextDispose(nint context);
    [LibraryImport(Library)] public static partial void LLVMContextSetDiscardValueNames(nint context, int discard);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMModuleCreateWithNameInContext(string name, nint context);
    [LibraryImport(Library)] public static partial void LLVMDisposeModule(nint module);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial void LLVMSetTarget(nint module, string triple);
    [LibraryImport(Library)] public static partial void LLVMSetModuleDataLayout(nint module, nint layout);
    [LibraryImport(Library)] public static partial void LLVMDisposeMessage(byte* message);
    [LibraryImport(Library)] public static partial void LLVMGetVersion(uint* major, uint* minor, uint* patch);

    [LibraryImport(Library)] public static partial nint LLVMInt32TypeInContext(nint context);
    [LibraryImport(Library)] public static partial nint LLVMInt64TypeInContext(nint context);
    [LibraryImport(Library)] public static partial nint LLVMArrayType2(nint elementType, ulong count);
    [LibraryImport(Library)] public static partial nint LLVMFunctionType(nint returnType, nint* paramTypes, uint paramCount, int isVarArg);

    // ---- Functions, blocks, instructions ----------------------------------------------------------
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMAddFunction(nint module, string name, nint functionType);
    [LibraryImport(Library)] public static partial nint LLVMGetParam(nint function, uint index);
    [LibraryImport(Library)] public static partial void LLVMSetLinkage(nint global, LLVMLinkage linkage);
    [LibraryImport(Library)] public static partial void LLVMSetVisibility(nint global, LLVMVisibility visibility);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMAppendBasicBlockInContext(nint context, nint function, string name);
    [LibraryImport(Library)] public static partial nint LLVMCreateBuilderInContext(nint context);
    [LibraryImport(Library)] public static partial void LLVMDisposeBuilder(nint builder);
    [LibraryImport(Library)] public static partial void LLVMPositionBuilderAtEnd(nint builder, nint block);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildAdd(nint builder, nint lhs, nint rhs, string name);
    [LibraryImport(Library)] public static partial nint LLVMBuildRet(nint builder, nint value);

    [LibraryImport(Library)] public static partial nint LLVMInt1TypeInContext(nint context);
    [LibraryImport(Library)] public static partial nint LLVMInt8TypeInContext(nint context);
    [LibraryImport(Library)] public static partial nint LLVMInt16TypeInContext(nint context);
    [LibraryImport(Library)] public static partial nint LLVMFloatTypeInContext(nint context);
    [LibraryImport(Library)] public static partial nint LLVMDoubleTypeInContext(nint context);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildFCmp(nint builder, LLVMRealPredicate predicate, nint lhs, nint rhs, string name);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildFNeg(nint builder, nint value, string name);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial uint LLVMLookupIntrinsicID(string name, nuint length);
    [LibraryImport(Library)] public static partial nint LLVMGetIntrinsicDeclaration(nint module, uint id, nint* overloadTypes, nuint count);
    [LibraryImport(Library)] public static partial nint LLVMGlobalGetValueType(nint global);
    [LibraryImport(Library)] public static partial nint LLVMGetReturnType(nint functionType);
    [LibraryImport(Library)] public static partial nint LLVMBuildSwitch(nint builder, nint value, nint otherwise, uint caseCount);
    [LibraryImport(Library)] public static partial void LLVMAddCase(nint @switch, nint onValue, nint destination);
    [LibraryImport(Library)] public static partial nint LLVMVoidTypeInContext(nint context);
    [LibraryImport(Library)] public static partial nint LLVMPointerTypeInContext(nint context, uint addressSpace);
    [LibraryImport(Library)] public static partial nint LLVMConstInt(nint type, ulong value, int signExtend);
    [LibraryImport(Library)] public static partial nint LLVMConstNull(nint type);
    [LibraryImport(Library)] public static partial nint LLVMIsAConstantFP(nint value);
    [LibraryImport(Library)] public static partial nint LLVMIsAConstantInt(nint value);
    [LibraryImport(Library)] public static partial long LLVMConstIntGetSExtValue(nint constant);
    [LibraryImport(Library)] public static partial double LLVMConstRealGetDouble(nint constant, int* losesInfo);
    [LibraryImport(Library)] public static partial nint LLVMGetUndef(nint type);
    [LibraryImport(Library)] public static partial void LLVMSetOperand(nint user, uint index, nint value);
    [LibraryImport(Library)] public static partial nint LLVMGetSuccessor(nint terminator, uint index);
    [LibraryImport(Library)] public static partial nint LLVMGetInstructionParent(nint instruction);
    [LibraryImport(Library)] public static partial int LLVMIsConstant(nint value);
    [LibraryImport(Library)] public static partial nint LLVMGetInsertBlock(nint builder);
    [LibraryImport(Library)] public static partial nint LLVMGetEntryBasicBlock(nint function);
    [LibraryImport(Library)] public static partial nint LLVMGetFirstInstruction(nint block);
    [LibraryImport(Library)] public static partial nint LLVMGetNextInstruction(nint instruction);
    [LibraryImport(Library)] public static partial void LLVMReplaceAllUsesWith(nint oldValue, nint newValue);
    [LibraryImport(Library)] public static partial void LLVMInstructionEraseFromParent(nint instruction);
    [LibraryImport(Library)] public static partial void LLVMPositionBuilderBefore(nint builder, nint instruction);
    [LibraryImport(Library)] public static partial nint LLVMGetBasicBlockTerminator(nint block);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildAlloca(nint builder, nint type, string name);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildLoad2(nint builder, nint type, nint pointer, string name);
    [LibraryImport(Library)] public static partial nint LLVMBuildStore(nint builder, nint value, nint pointer);
    [LibraryImport(Library)] public static partial void LLVMSetAlignment(nint instruction, uint bytes);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildGEP2(nint builder, nint type, nint pointer, nint* indices, uint count, string name);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildBinOp(nint builder, LLVMOpcode op, nint lhs, nint rhs, string name);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildCast(nint builder, LLVMOpcode op, nint value, nint type, string name);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildICmp(nint builder, LLVMIntPredicate predicate, nint lhs, nint rhs, string name);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildSelect(nint builder, nint condition, nint then, nint otherwise, string name);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildCall2(nint builder, nint functionType, nint function, nint* args, uint count, string name);
    [LibraryImport(Library)] public static partial nint LLVMBuildBr(nint builder, nint block);
    [LibraryImport(Library)] public static partial nint LLVMBuildCondBr(nint builder, nint condition, nint then, nint otherwise);
    [LibraryImport(Library)] public static partial nint LLVMBuildRetVoid(nint builder);
    [LibraryImport(Library)] public static partial nint LLVMBuildUnreachable(nint builder);

    [LibraryImport(Library)] public static partial void LLVMSetVolatile(nint memoryAccess, int isVolatile);
    [LibraryImport(Library)] public static partial nint LLVMIsALoadInst(nint value);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial void LLVMSetSection(nint global, string section);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMAddGlobal(nint module, nint type, string name);
    [LibraryImport(Library)] public static partial void LLVMSetInitializer(nint global, nint value);
    [LibraryImport(Library)] public static partial void LLVMSetGlobalConstant(nint global, int isConstant);

    [LibraryImport(Library)] public static partial nint LLVMStructTypeInContext(nint context, nint* elementTypes, uint count, int packed);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildExtractValue(nint builder, nint aggregate, uint index, string name);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildInsertValue(nint builder, nint aggregate, nint element, uint index, string name);

    [LibraryImport(Library)] public static partial nint LLVMTypeOf(nint value);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMCreateStringAttribute(nint context, string key, uint keyLength, string value, uint valueLength);
    /// <summary>Index ~0 (<see cref="FunctionIndex"/>) puts the attribute on the function itself.</summary>
    [LibraryImport(Library)] public static partial void LLVMAddAttributeAtIndex(nint function, uint index, nint attribute);
    public const uint FunctionIndex = uint.MaxValue;
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial uint LLVMGetEnumAttributeKindForName(string name, nuint length);
    [LibraryImport(Library)] public static partial nint LLVMCreateEnumAttribute(nint context, uint kind, ulong value);

    [LibraryImport(Library)] public static partial nint LLVMConstArray2(nint elementType, nint* values, ulong count);

    /// <summary>An i8 array constant of the bytes (with a terminating 0 unless <paramref name="dontNullTerminate"/>).</summary>
    [LibraryImport(Library)] public static partial nint LLVMConstStringInContext2(nint context, byte* bytes, nuint length, int dontNullTerminate);

    [LibraryImport(Library)] public static partial nint LLVMVectorType(nint elementType, uint count);
    [LibraryImport(Library)] public static partial nint LLVMIntTypeInContext(nint context, uint bits);
    [LibraryImport(Library)] public static partial nint LLVMConstVector(nint* values, uint count);
    [LibraryImport(Library)] public static partial nint LLVMConstAllOnes(nint type);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildInsertElement(nint builder, nint vector, nint element, nint index, string name);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildExtractElement(nint builder, nint vector, nint index, string name);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMBuildShuffleVector(nint builder, nint a, nint b, nint mask, string name);

    // ---- Metadata ----------------------------------------------------------------------------------
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial uint LLVMGetMDKindIDInContext(nint context, string name, uint length);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMMDStringInContext2(nint context, string text, nuint length);
    [LibraryImport(Library)] public static partial nint LLVMMDNodeInContext2(nint context, nint* metadata, nuint count);
    [LibraryImport(Library)] public static partial nint LLVMValueAsMetadata(nint value);
    [LibraryImport(Library)] public static partial nint LLVMMetadataAsValue(nint context, nint metadata);
    [LibraryImport(Library)] public static partial void LLVMSetMetadata(nint instruction, uint kind, nint node);

    // ---- Textual IR --------------------------------------------------------------------------------
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LLVMCreateMemoryBufferWithMemoryRangeCopy(byte* data, nuint length, string name);
    /// <summary>Parses textual IR into a new module; takes ownership of the buffer. Non-zero on failure.</summary>
    [LibraryImport(Library)] public static partial int LLVMParseIRInContext(nint context, nint buffer, nint* module, byte** message);

    // ---- Verification ----------------------------------------------------------------------------
    /// <summary>Returns non-zero when the module is broken; the message says why (LLVMReturnStatusAction).</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial void LLVMParseCommandLineOptions(int argc, byte** argv, string? overview);
    [LibraryImport(Library)] public static partial int LLVMVerifyModule(nint module, LLVMVerifierFailureAction action, byte** message);

    // ---- Targets and code generation -------------------------------------------------------------
    // LLVMInitializeNativeTarget is a header inline; the exported per-target entry points do its work.
    [LibraryImport(Library)] public static partial void LLVMInitializeX86TargetInfo();
    [LibraryImport(Library)] public static partial void LLVMInitializeX86Target();
    [LibraryImport(Library)] public static partial void LLVMInitializeX86TargetMC();
    [LibraryImport(Library)] public static partial void LLVMInitializeX86AsmPrinter();
    [LibraryImport(Library)] public static partial byte* LLVMGetDefaultTargetTriple();
    [LibraryImport(Library)] public static partial byte* LLVMGetHostCPUName();
    [LibraryImport(Library)] public static partial byte* LLVMGetHostCPUFeatures();
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial int LLVMGetTargetFromTriple(string triple, nint* target, byte** errorMessage);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LLVMCreateTargetMachine(nint target, string triple, string cpu, string features,
        LLVMCodeGenOptLevel level, LLVMRelocMode reloc, LLVMCodeModel codeModel);
    [LibraryImport(Library)] public static partial void LLVMDisposeTargetMachine(nint machine);
    [LibraryImport(Library)] public static partial nint LLVMCreateTargetDataLayout(nint machine);
    [LibraryImport(Library)] public static partial void LLVMDisposeTargetData(nint data);
    [LibraryImport(Library)]
    public static partial int LLVMTargetMachineEmitToMemoryBuffer(nint machine, nint module, LLVMCodeGenFileType fileType,
        byte** errorMessage, nint* buffer);
    [LibraryImport(Library)] public static partial byte* LLVMGetBufferStart(nint buffer);
    [LibraryImport(Library)] public static partial nuint LLVMGetBufferSize(nint buffer);
    [LibraryImport(Library)] public static partial void LLVMDisposeMemoryBuffer(nint buffer);

    // ---- The new pass manager --------------------------------------------------------------------
    [LibraryImport(Library)] public static partial nint LLVMCreatePassBuilderOptions();
    [LibraryImport(Library)] public static partial void LLVMDisposePassBuilderOptions(nint options);
    /// <summary>Returns an LLVMErrorRef (null on success).</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial nint LLVMRunPasses(nint module, string passes, nint machine, nint options);
    [LibraryImport(Library)] public static partial byte* LLVMGetErrorMessage(nint error);
    [LibraryImport(Library)] public static partial void LLVMDisposeErrorMessage(byte* message);

    /// <summary>A string LLVM allocated, copied and freed.</summary>
    public static string TakeMessage(byte* message)
    {
        if (message == null) return "";
        string s = Marshal.PtrToStringUTF8((nint)message) ?? "";
        LLVMDisposeMessage(message);
        return s;
    }
}

internal enum LLVMOpcode
{
    Add = 8, Sub = 10, Mul = 12, UDiv = 14, SDiv = 15, URem = 17, SRem = 18,
    Shl = 20, LShr = 21, AShr = 22, And = 23, Or = 24, Xor = 25, Trunc = 30, ZExt = 31, SExt = 32, PtrToInt = 39,
    FAdd = 9, FSub = 11, FMul = 13, FDiv = 16, FPToUI = 33, FPToSI = 34, UIToFP = 35, SIToFP = 36, FPTrunc = 37, FPExt = 38, BitCast = 41,
}
internal enum LLVMRealPredicate { OEQ = 1, OGT = 2, OGE = 3, OLT = 4, OLE = 5, UNO = 8, UNE = 14 }
internal enum LLVMIntPredicate { EQ = 32, NE, UGT, UGE, ULT, ULE, SGT, SGE, SLT, SLE }
internal enum LLVMLinkage { External = 0, Internal = 8, Private = 9 }
internal enum LLVMVisibility { Default = 0, Hidden = 1, Protected = 2 }
internal enum LLVMVerifierFailureAction { AbortProcess = 0, PrintMessage = 1, ReturnStatus = 2 }
internal enum LLVMCodeGenOptLevel { None = 0, Less = 1, Default = 2, Aggressive = 3 }
internal enum LLVMRelocMode { Default = 0, Static = 1, PIC = 2 }
internal enum LLVMCodeModel { Default = 0, JITDefault = 1, Small = 3 }
internal enum LLVMCodeGenFileType { Assembly = 0, Object = 1 }
