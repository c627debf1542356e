using System.Text;
using WasmSharp.Components.Binary;
using WasmSharp.Components.Runtime;
using WasmSharp.Components.Text;
using WasmSharp.Components.Validation;

namespace WasmSharp.Tests.Components;

/// <summary>Bad input gets a precise error: components with random bytes changed, dropped or inserted are either
/// read, validated and instantiated, or refused with the runtime's own exceptions (malformed, invalid, link error,
/// trap), never another .NET exception.</summary>
public class ComponentMutationTests
{
    /// <summary>Components that use much of the format: nested components, instances, aliases, resources, canon
    /// options, every kind of value type.</summary>
    private static readonly string[] Sources =
    [
        """
        (component
          (type $R (resource (rep i32)))
          (canon resource.new $R (core func $new))
          (core module $M
            (import "" "new" (func $new (param i32) (result i32)))
            (memory (export "mem") 1)
            (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 64))
            (func (export "make") (result i32) (call $new (i32.const 7)))
            (func (export "echo") (param i32 i32) (result i32) (i32.const 0)))
          (core instance $m (instantiate $M (with "" (instance (export "new" (func $new))))))
          (export $R' "r" (type $R))
          (type $rec (record (field "a" u32) (field "b" string)))
          (export $rec' "rec" (type $rec))
          (func (export "make") (result (own $R')) (canon lift (core func $m "make")))
          (func (export "echo") (param "s" string) (result $rec')
            (canon lift (core func $m "echo") (memory (core memory $m "mem")) (realloc (func $m "realloc")))))
        """,
        """
        (component
          (component $C
            (import "x" (func $x (param "v" (variant (case "a" u8) (case "b" (list (tuple u32 f64))))) (result (option (result u32 (error string))))))
            (export "y" (func $x)))
          (component $D
            (import "c" (instance $c (export "y" (func (param "v" (variant (case "a" u8) (case "b" (list (tuple u32 f64))))) (result (option (result u32 (error string))))))))
            (alias export $c "y" (func $y))
            (export "z" (func $y)))
          (type $f (func (param "v" (variant (case "a" u8) (case "b" (list (tuple u32 f64))))) (result (option (result u32 (error string))))))
          (import "host" (func $h (type $f)))
          (instance $c (instantiate $C (with "x" (func $h))))
          (instance $d (instantiate $D (with "c" (instance $c))))
          (type $e (enum "red" "green"))
          (type $fl (flags "a" "b" "c"))
          (export "e" (type $e))
          (export "fl" (type $fl)))
        """,
    ];

    [Fact]
    public void MutatedComponentsFailWithTheRuntimesOwnErrors()
    {
        var random = new Random(20261207);
        int read = 0, refused = 0;
        foreach (var source in Sources)
        {
            var original = ComponentText.ParseFile(Encoding.UTF8.GetBytes(source));
            for (int i = 0; i < 3000; i++)
            {
                var bytes = Mutate(original, random);
                try
                {
                    var info = ComponentReader.Read(bytes);
                    ComponentValidator.Validate(info);
                    var linker = new ComponentLinker();
                    // The host import of the second component, of its declared type, returning none.
                    var host = ComponentValidator.Validate(info).Imports.Where(x => x.Name == "host").Select(x => x.Desc).OfType<FuncDesc>().FirstOrDefault();
                    if (host is not null) linker.DefineFunction("host", host.Type, _ => new WasmSharp.Components.OptionValue(null));
                    linker.Instantiate(new Store(), info);
                    read++;
                }
                catch (Exception e) when (e is MalformedModuleException or InvalidModuleException or LinkException or TrapException)
                {
                    refused++;
                }
                catch (Exception e)
                {
                    Assert.Fail($"mutation {i} of a component threw {e.GetType().Name}: {e.Message}\n{Convert.ToHexString(bytes)}\n{e.StackTrace}");
                }
            }
        }
        // Both outcomes happen: some mutations still give a valid component (a changed name or number).
        Assert.True(read > 0 && refused > 0 && refused + read == 6000, $"{read} read, {refused} refused");
    }

    [Fact]
    public void MutatedComponentTextFailsWithTheTextErrors()
    {
        var random = new Random(7);
        const string alphabet = "()$\" 0123456789abcdefghijklmnopqrstuvwxyz.-=;";
        foreach (var source in Sources)
        {
            for (int i = 0; i < 2000; i++)
            {
                var text = new StringBuilder(source);
                for (int e = random.Next(1, 3); e > 0; e--)
                {
                    int at = random.Next(text.Length);
                    if (random.Next(2) == 0) text.Remove(at, 1);
                    else text.Insert(at, alphabet[random.Next(alphabet.Length)]);
                }
                try
                {
                    var info = ComponentReader.Read(ComponentText.ParseFile(Encoding.UTF8.GetBytes(text.ToString())));
                    ComponentValidator.Validate(info);
                }
                catch (Exception e) when (e is WasmSharp.Text.MalformedTextException or MalformedModuleException or InvalidModuleException)
                {
                }
                catch (Exception e)
                {
                    Assert.Fail($"a mutation of a component's text threw {e.GetType().Name}: {e.Message}\n{text}\n{e.StackTrace}");
                }
            }
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        int edits = random.Next(1, 3);
        for (int e = 0; e < edits; e++)
        {
            int at = random.Next(8, bytes.Count); // the preamble stays, so the sections are what is tested
            switch (random.Next(3))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.RemoveAt(at); break;
                default: bytes.Insert(at, (byte)random.Next(256)); break;
            }
        }
        return bytes.ToArray();
    }
}
