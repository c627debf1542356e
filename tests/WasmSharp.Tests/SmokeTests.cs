namespace WasmSharp.Tests;

public class SmokeTests
{
    [Fact]
    public void ValueRoundTrips() => Assert.Equal(42, Value.I32(42).AsI32());
}
