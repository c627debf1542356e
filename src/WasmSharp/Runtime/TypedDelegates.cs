// Typed delegate bridges for 0..4 parameters: Function.AsFunc/AsAction, Instance.GetFunction/GetAction and
// Linker.DefineFunction. The overloads differ only in arity, so they are written out from one pattern.
using System.Runtime.CompilerServices;

namespace WasmSharp;

/// <summary>A typed delegate's slots (<see cref="HostSlots"/>: at most four values, two words each), a local of its
/// lambda. Not a stackalloc: that would keep the lambda from tiering up with a profile and give it a stack cookie.
/// (Executor's RawSlots is the same kind of buffer for sixteen values; the typed delegates using that one ran a core
/// call 0.5-0.8 ns slower, so each keeps its size.)</summary>
[InlineArray(4 * HostSlots.Words)]
internal struct TypedSlots
{
    private ulong _word;

    /// <summary>The first word's address (the buffer is a local: it does not move).</summary>
    public unsafe ulong* Pointer => (ulong*)Unsafe.AsPointer(ref this[0]);
}

public abstract unsafe partial class Function
{
    /// <summary>This function as a typed delegate; throws <see cref="WasmException"/> if its type is not (no parameters) -&gt; TResult.</summary>
    public Func<TResult> AsFunc<TResult>()
    {
        CheckSignature([], [ValueMarshal<TResult>.Require()]);
        return [SkipLocalsInit] () =>
        {
            Unsafe.SkipInit(out TypedSlots buffer);
            ulong* slots = buffer.Pointer;
            var s = new HostSlots(slots);
            InvokeSlots(slots);
            return s.Get<TResult>(0);
        };
    }

    /// <summary>This function as a typed delegate; throws <see cref="WasmException"/> if its type is not (no parameters) -&gt; nothing.</summary>
    public Action AsAction()
    {
        CheckSignature([], []);
        return [SkipLocalsInit] () =>
        {
            Unsafe.SkipInit(out TypedSlots buffer);
            ulong* slots = buffer.Pointer;
            var s = new HostSlots(slots);
            InvokeSlots(slots);
        };
    }

    /// <summary>This function as a typed delegate; throws <see cref="WasmException"/> if its type is not (T1) -&gt; TResult.</summary>
    public Func<T1, TResult> AsFunc<T1, TResult>()
    {
        CheckSignature([ValueMarshal<T1>.Require()], [ValueMarshal<TResult>.Require()]);
        return [SkipLocalsInit] (a1) =>
        {
            Unsafe.SkipInit(out TypedSlots buffer);
            ulong* slots = buffer.Pointer;
            var s = new HostSlots(slots);
            s.Set(0, a1);
            InvokeSlots(slots);
            return s.Get<TResult>(0);
        };
    }

    /// <summary>This function as a typed delegate; throws <see cref="WasmException"/> if its type is not (T1) -&gt; nothing.</summary>
    public Action<T1> AsAction<T1>()
    {
        CheckSignature([ValueMarshal<T1>.Require()], []);
        return [SkipLocalsInit] (a1) =>
        {
            Unsafe.SkipInit(out TypedSlots buffer);
            ulong* slots = buffer.Pointer;
            var s = new HostSlots(slots);
            s.Set(0, a1);
            InvokeSlots(slots);
        };
    }

    /// <summary>This function as a typed delegate; throws <see cref="WasmException"/> if its type is not (T1, T2) -&gt; TResult.</summary>
    public Func<T1, T2, TResult> AsFunc<T1, T2, TResult>()
    {
        CheckSignature([ValueMarshal<T1>.Require(), ValueMarshal<T2>.Require()], [ValueMarshal<TResult>.Require()]);
        return [SkipLocalsInit] (a1, a2) =>
        {
            Unsafe.SkipInit(out TypedSlots buffer);
            ulong* slots = buffer.Pointer;
            var s = new HostSlots(slots);
            s.Set(0, a1);
            s.Set(1, a2);
            InvokeSlots(slots);
            return s.Get<TResult>(0);
        };
    }

    /// <summary>This function as a typed delegate; throws <see cref="WasmException"/> if its type is not (T1, T2) -&gt; nothing.</summary>
    public Action<T1, T2> AsAction<T1, T2>()
    {
        CheckSignature([ValueMarshal<T1>.Require(), ValueMarshal<T2>.Require()], []);
        return [SkipLocalsInit] (a1, a2) =>
        {
            Unsafe.SkipInit(out TypedSlots buffer);
            ulong* slots = buffer.Pointer;
            var s = new HostSlots(slots);
            s.Set(0, a1);
            s.Set(1, a2);
            InvokeSlots(slots);
        };
    }

    /// <summary>This function as a typed delegate; throws <see cref="WasmException"/> if its type is not (T1, T2, T3) -&gt; TResult.</summary>
    public Func<T1, T2, T3, TResult> AsFunc<T1, T2, T3, TResult>()
    {
        CheckSignature([ValueMarshal<T1>.Require(), ValueMarshal<T2>.Require(), ValueMarshal<T3>.Require()], [ValueMarshal<TResult>.Require()]);
        return [SkipLocalsInit] (a1, a2, a3) =>
        {
            Unsafe.SkipInit(out TypedSlots buffer);
            ulong* slots = buffer.Pointer;
            var s = new HostSlots(slots);
            s.Set(0, a1);
            s.Set(1, a2);
            s.Set(2, a3);
            InvokeSlots(slots);
            return s.Get<TResult>(0);
        };
    }

    /// <summary>This function as a typed delegate; throws <see cref="WasmException"/> if its type is not (T1, T2, T3) -&gt; nothing.</summary>
    public Action<T1, T2, T3> AsAction<T1, T2, T3>()
    {
        CheckSignature([ValueMarshal<T1>.Require(), ValueMarshal<T2>.Require(), ValueMarshal<T3>.Require()], []);
        return [SkipLocalsInit] (a1, a2, a3) =>
        {
            Unsafe.SkipInit(out TypedSlots buffer);
            ulong* slots = buffer.Pointer;
            var s = new HostSlots(slots);
            s.Set(0, a1);
            s.Set(1, a2);
            s.Set(2, a3);
            InvokeSlots(slots);
        };
    }

    /// <summary>This function as a typed delegate; throws <see cref="WasmException"/> if its type is not (T1, T2, T3, T4) -&gt; TResult.</summary>
    public Func<T1, T2, T3, T4, TResult> AsFunc<T1, T2, T3, T4, TResult>()
    {
        CheckSignature([ValueMarshal<T1>.Require(), ValueMarshal<T2>.Require(), ValueMarshal<T3>.Require(), ValueMarshal<T4>.Require()], [ValueMarshal<TResult>.Require()]);
        return [SkipLocalsInit] (a1, a2, a3, a4) =>
        {
            Unsafe.SkipInit(out TypedSlots buffer);
            ulong* slots = buffer.Pointer;
            var s = new HostSlots(slots);
            s.Set(0, a1);
            s.Set(1, a2);
            s.Set(2, a3);
            s.Set(3, a4);
            InvokeSlots(slots);
            return s.Get<TResult>(0);
        };
    }

    /// <summary>This function as a typed delegate; throws <see cref="WasmException"/> if its type is not (T1, T2, T3, T4) -&gt; nothing.</summary>
    public Action<T1, T2, T3, T4> AsAction<T1, T2, T3, T4>()
    {
        CheckSignature([ValueMarshal<T1>.Require(), ValueMarshal<T2>.Require(), ValueMarshal<T3>.Require(), ValueMarshal<T4>.Require()], []);
        return [SkipLocalsInit] (a1, a2, a3, a4) =>
        {
            Unsafe.SkipInit(out TypedSlots buffer);
            ulong* slots = buffer.Pointer;
            var s = new HostSlots(slots);
            s.Set(0, a1);
            s.Set(1, a2);
            s.Set(2, a3);
            s.Set(3, a4);
            InvokeSlots(slots);
        };
    }
}

public sealed partial class Instance
{
    /// <summary>The exported function <paramref name="name"/> as a typed delegate; throws <see cref="WasmException"/>
    /// if there is no such function export or its type differs.</summary>
    public Func<TResult> GetFunction<TResult>(string name) => RequireFunction(name).AsFunc<TResult>();

    /// <summary>The exported function <paramref name="name"/> as an <see cref="Action"/>; throws <see cref="WasmException"/>
    /// if there is no such function export or its type differs.</summary>
    public Action GetAction(string name) => RequireFunction(name).AsAction();

    /// <summary>The exported function <paramref name="name"/> as a typed delegate; throws <see cref="WasmException"/>
    /// if there is no such function export or its type differs.</summary>
    public Func<T1, TResult> GetFunction<T1, TResult>(string name) => RequireFunction(name).AsFunc<T1, TResult>();

    /// <summary>The exported function <paramref name="name"/> as a typed delegate; throws <see cref="WasmException"/>
    /// if there is no such function export or its type differs.</summary>
    public Action<T1> GetAction<T1>(string name) => RequireFunction(name).AsAction<T1>();

    /// <summary>The exported function <paramref name="name"/> as a typed delegate; throws <see cref="WasmException"/>
    /// if there is no such function export or its type differs.</summary>
    public Func<T1, T2, TResult> GetFunction<T1, T2, TResult>(string name) => RequireFunction(name).AsFunc<T1, T2, TResult>();

    /// <summary>The exported function <paramref name="name"/> as a typed delegate; throws <see cref="WasmException"/>
    /// if there is no such function export or its type differs.</summary>
    public Action<T1, T2> GetAction<T1, T2>(string name) => RequireFunction(name).AsAction<T1, T2>();

    /// <summary>The exported function <paramref name="name"/> as a typed delegate; throws <see cref="WasmException"/>
    /// if there is no such function export or its type differs.</summary>
    public Func<T1, T2, T3, TResult> GetFunction<T1, T2, T3, TResult>(string name) => RequireFunction(name).AsFunc<T1, T2, T3, TResult>();

    /// <summary>The exported function <paramref name="name"/> as a typed delegate; throws <see cref="WasmException"/>
    /// if there is no such function export or its type differs.</summary>
    public Action<T1, T2, T3> GetAction<T1, T2, T3>(string name) => RequireFunction(name).AsAction<T1, T2, T3>();

    /// <summary>The exported function <paramref name="name"/> as a typed delegate; throws <see cref="WasmException"/>
    /// if there is no such function export or its type differs.</summary>
    public Func<T1, T2, T3, T4, TResult> GetFunction<T1, T2, T3, T4, TResult>(string name) => RequireFunction(name).AsFunc<T1, T2, T3, T4, TResult>();

    /// <summary>The exported function <paramref name="name"/> as a typed delegate; throws <see cref="WasmException"/>
    /// if there is no such function export or its type differs.</summary>
    public Action<T1, T2, T3, T4> GetAction<T1, T2, T3, T4>(string name) => RequireFunction(name).AsAction<T1, T2, T3, T4>();
}

public sealed partial class Linker
{
    /// <summary>Defines a host function implemented by a typed delegate (int, long, float, double, Vector128&lt;byte&gt; map to i32, i64, f32, f64, v128), called on raw slots (<see cref="HostSlots"/>).</summary>
    public Linker DefineFunction<TResult>(string module, string name, Func<TResult> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var type = new FunctionType([], [ValueMarshal<TResult>.Require()]);
        return DefineFunction(module, name, type, (HostSlotsCallback)(s => s.Set(0, function())));
    }

    /// <summary>Defines a host function implemented by a typed delegate (int, long, float, double, Vector128&lt;byte&gt; map to i32, i64, f32, f64, v128), called on raw slots (<see cref="HostSlots"/>).</summary>
    public Linker DefineFunction(string module, string name, Action function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var type = new FunctionType([], []);
        return DefineFunction(module, name, type, (HostSlotsCallback)(s => function()));
    }

    /// <summary>Defines a host function implemented by a typed delegate (int, long, float, double, Vector128&lt;byte&gt; map to i32, i64, f32, f64, v128), called on raw slots (<see cref="HostSlots"/>).</summary>
    public Linker DefineFunction<T1, TResult>(string module, string name, Func<T1, TResult> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var type = new FunctionType([ValueMarshal<T1>.Require()], [ValueMarshal<TResult>.Require()]);
        return DefineFunction(module, name, type, (HostSlotsCallback)(s => s.Set(0, function(s.Get<T1>(0)))));
    }

    /// <summary>Defines a host function implemented by a typed delegate (int, long, float, double, Vector128&lt;byte&gt; map to i32, i64, f32, f64, v128), called on raw slots (<see cref="HostSlots"/>).</summary>
    public Linker DefineFunction<T1>(string module, string name, Action<T1> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var type = new FunctionType([ValueMarshal<T1>.Require()], []);
        return DefineFunction(module, name, type, (HostSlotsCallback)(s => function(s.Get<T1>(0))));
    }

    /// <summary>Defines a host function implemented by a typed delegate (int, long, float, double, Vector128&lt;byte&gt; map to i32, i64, f32, f64, v128), called on raw slots (<see cref="HostSlots"/>).</summary>
    public Linker DefineFunction<T1, T2, TResult>(string module, string name, Func<T1, T2, TResult> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var type = new FunctionType([ValueMarshal<T1>.Require(), ValueMarshal<T2>.Require()], [ValueMarshal<TResult>.Require()]);
        return DefineFunction(module, name, type, (HostSlotsCallback)(s => s.Set(0, function(s.Get<T1>(0), s.Get<T2>(1)))));
    }

    /// <summary>Defines a host function implemented by a typed delegate (int, long, float, double, Vector128&lt;byte&gt; map to i32, i64, f32, f64, v128), called on raw slots (<see cref="HostSlots"/>).</summary>
    public Linker DefineFunction<T1, T2>(string module, string name, Action<T1, T2> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var type = new FunctionType([ValueMarshal<T1>.Require(), ValueMarshal<T2>.Require()], []);
        return DefineFunction(module, name, type, (HostSlotsCallback)(s => function(s.Get<T1>(0), s.Get<T2>(1))));
    }

    /// <summary>Defines a host function implemented by a typed delegate (int, long, float, double, Vector128&lt;byte&gt; map to i32, i64, f32, f64, v128), called on raw slots (<see cref="HostSlots"/>).</summary>
    public Linker DefineFunction<T1, T2, T3, TResult>(string module, string name, Func<T1, T2, T3, TResult> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var type = new FunctionType([ValueMarshal<T1>.Require(), ValueMarshal<T2>.Require(), ValueMarshal<T3>.Require()], [ValueMarshal<TResult>.Require()]);
        return DefineFunction(module, name, type, (HostSlotsCallback)(s => s.Set(0, function(s.Get<T1>(0), s.Get<T2>(1), s.Get<T3>(2)))));
    }

    /// <summary>Defines a host function implemented by a typed delegate (int, long, float, double, Vector128&lt;byte&gt; map to i32, i64, f32, f64, v128), called on raw slots (<see cref="HostSlots"/>).</summary>
    public Linker DefineFunction<T1, T2, T3>(string module, string name, Action<T1, T2, T3> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var type = new FunctionType([ValueMarshal<T1>.Require(), ValueMarshal<T2>.Require(), ValueMarshal<T3>.Require()], []);
        return DefineFunction(module, name, type, (HostSlotsCallback)(s => function(s.Get<T1>(0), s.Get<T2>(1), s.Get<T3>(2))));
    }

    /// <summary>Defines a host function implemented by a typed delegate (int, long, float, double, Vector128&lt;byte&gt; map to i32, i64, f32, f64, v128), called on raw slots (<see cref="HostSlots"/>).</summary>
    public Linker DefineFunction<T1, T2, T3, T4, TResult>(string module, string name, Func<T1, T2, T3, T4, TResult> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var type = new FunctionType([ValueMarshal<T1>.Require(), ValueMarshal<T2>.Require(), ValueMarshal<T3>.Require(), ValueMarshal<T4>.Require()], [ValueMarshal<TResult>.Require()]);
        return DefineFunction(module, name, type, (HostSlotsCallback)(s => s.Set(0, function(s.Get<T1>(0), s.Get<T2>(1), s.Get<T3>(2), s.Get<T4>(3)))));
    }

    /// <summary>Defines a host function implemented by a typed delegate (int, long, float, double, Vector128&lt;byte&gt; map to i32, i64, f32, f64, v128), called on raw slots (<see cref="HostSlots"/>).</summary>
    public Linker DefineFunction<T1, T2, T3, T4>(string module, string name, Action<T1, T2, T3, T4> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var type = new FunctionType([ValueMarshal<T1>.Require(), ValueMarshal<T2>.Require(), ValueMarshal<T3>.Require(), ValueMarshal<T4>.Require()], []);
        return DefineFunction(module, name, type, (HostSlotsCallback)(s => function(s.Get<T1>(0), s.Get<T2>(1), s.Get<T3>(2), s.Get<T4>(3))));
    }
}
