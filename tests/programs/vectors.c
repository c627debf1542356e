/* Loops of the kinds compilers vectorise (element-wise arithmetic on 8-, 16-, 32- and 64-bit integers and on
 * floats, min/max and clamping, compares and selects, byte search, widening multiply-adds, conversions, shifts),
 * each folded into a checksum. Built with -msimd128, clang turns them into v128 code; natively and in the plain
 * wasm build they are scalar, and all three must print the same. */
#include <stdint.h>
#include <stdio.h>

#define N 1000

static uint32_t seed = 12345;
static uint32_t next(void) { seed = seed * 1103515245u + 12345u; return seed >> 8; }

static int8_t a8[N], b8[N], c8[N];
static uint8_t u8[N], v8[N];
static int16_t a16[N], b16[N];
static int32_t a32[N], b32[N], c32[N];
static int64_t a64[N], b64[N], c64[N];
static float af[N], bf[N], cf[N];
static double ad[N], bd[N], cd[N];

static uint64_t mix(uint64_t h, uint64_t x) { return (h ^ x) * 0x100000001B3ull; }

int main(void) {
    for (int i = 0; i < N; i++) {
        a8[i] = (int8_t)next(); b8[i] = (int8_t)next();
        u8[i] = (uint8_t)next(); v8[i] = (uint8_t)next();
        a16[i] = (int16_t)next(); b16[i] = (int16_t)next();
        a32[i] = (int32_t)(next() << 8); b32[i] = (int32_t)next() - 0x800000;
        a64[i] = ((int64_t)next() << 24) ^ next(); b64[i] = (int64_t)next() - 0x800000;
        af[i] = (float)((int32_t)next() - 0x800000) / 1024.0f; bf[i] = (float)(next() % 1000) / 7.0f;
        ad[i] = (double)((int32_t)next() - 0x800000) / 3.0; bd[i] = (double)(next() % 5000) / 11.0;
    }
    uint64_t h = 1469598103934665603ull;

    /* saturating add of int8, clamped by hand */
    for (int i = 0; i < N; i++) { int s = a8[i] + b8[i]; c8[i] = (int8_t)(s > 127 ? 127 : s < -128 ? -128 : s); }
    for (int i = 0; i < N; i++) h = mix(h, (uint8_t)c8[i]);
    printf("i8 saturating: %016llx\n", (unsigned long long)h);

    /* unsigned byte max, average, and a byte search */
    int found = 0;
    for (int i = 0; i < N; i++) { uint8_t m = u8[i] > v8[i] ? u8[i] : v8[i]; v8[i] = (uint8_t)((m + u8[i] + 1) >> 1); }
    for (int i = 0; i < N; i++) found += u8[i] == 0x5A || v8[i] == 0x5A;
    for (int i = 0; i < N; i++) h = mix(h, v8[i]);
    printf("u8 max/avg: %016llx, %d bytes found\n", (unsigned long long)h, found);

    /* widening multiply-add of int16 (a dot product) */
    int32_t dot = 0;
    for (int i = 0; i < N; i++) dot += a16[i] * b16[i];
    printf("i16 dot: %d\n", dot);

    /* int32: multiply, shifts, abs, compare and select */
    for (int i = 0; i < N; i++) {
        int32_t x = a32[i] * 3 + (b32[i] >> 3);
        int32_t y = (int32_t)((uint32_t)a32[i] >> (i & 31));
        c32[i] = (x < y ? x : y) ^ (b32[i] < 0 ? -b32[i] : b32[i]);
    }
    for (int i = 0; i < N; i++) h = mix(h, (uint32_t)c32[i]);
    printf("i32: %016llx\n", (unsigned long long)h);

    /* int64 */
    for (int i = 0; i < N; i++) c64[i] = a64[i] * 5 - (b64[i] << 2) + (a64[i] > b64[i] ? a64[i] : b64[i]);
    for (int i = 0; i < N; i++) h = mix(h, (uint64_t)c64[i]);
    printf("i64: %016llx\n", (unsigned long long)h);

    /* float and double: element-wise arithmetic, min/max by compare, conversions both ways */
    for (int i = 0; i < N; i++) {
        float x = af[i] * bf[i] + 0.5f;
        cf[i] = (x < af[i] ? x : af[i]) / (bf[i] + 1.0f);
    }
    for (int i = 0; i < N; i++) { union { float f; uint32_t u; } v = { cf[i] }; h = mix(h, v.u); }
    printf("f32: %016llx\n", (unsigned long long)h);
    for (int i = 0; i < N; i++) cd[i] = ad[i] * 0.25 - bd[i] + (double)a32[i];
    for (int i = 0; i < N; i++) { union { double d; uint64_t u; } v = { cd[i] }; h = mix(h, v.u); }
    for (int i = 0; i < N; i++) c32[i] = (int32_t)(cf[i] * 16.0f) + (int32_t)(bd[i]);
    for (int i = 0; i < N; i++) h = mix(h, (uint32_t)c32[i]);
    printf("f64 and conversions: %016llx\n", (unsigned long long)h);
    return 0;
}
