/* Kernels of the kind SIMD exists for, written as plain C loops (no intrinsics): the same source is the scalar
 * Wasm build, the -msimd128 build (clang-19 vectorises every kernel's loop into v128 code) and the native build.
 *   blend  - 8-bit alpha blend of two 256x256 images (widen to 16 bits, multiply, divide by 255, narrow)
 *   saxpy  - y = a*x + b*y over 65536 floats (element-wise, so the vector build rounds exactly like the scalar one)
 *   count  - how many bytes of the blended image equal a value (compare, then widen and add the matches)
 *   dot    - dot product of two 65536-element int16 vectors into 32 bits (widening multiply-add)
 *   matmul - 64x64 float matrix product in i-k-j order (the inner loop is a broadcast multiply-add over a row)
 * Every round changes the data the next one reads, so no round can be skipped, and folds a sample of its
 * results into one checksum. Float reductions are left out on purpose: clang vectorises them only with
 * -ffast-math, which would change the result. */
#include "bench.h"

#define PIXELS (256 * 256)
#define FLOATS 65536
#define SHORTS 65536
#define DIM 64

static uint8_t img_a[PIXELS], img_b[PIXELS], alpha[PIXELS];
static float fx[FLOATS], fy[FLOATS];
static int16_t sv[SHORTS], sw[SHORTS];
static float ma[DIM * DIM], mb[DIM * DIM], mc[DIM * DIM];

/* dst = (src * al + dst * (255 - al)) / 255, rounded: every intermediate fits in 16 bits
 * (255 * 255 + 128 + 254 < 65536), so the vectoriser can work on i16x8 lanes. */
static void blend(uint8_t *restrict dst, const uint8_t *restrict src, const uint8_t *restrict al, int n)
{
    for (int i = 0; i < n; i++) {
        uint16_t t = (uint16_t)(src[i] * al[i] + dst[i] * (255 - al[i]) + 128);
        dst[i] = (uint8_t)((t + (t >> 8)) >> 8);
    }
}

static void saxpy(float *restrict y, const float *restrict x, float a, float b, int n)
{
    for (int i = 0; i < n; i++) y[i] = a * x[i] + b * y[i];
}

static uint32_t count(const uint8_t *p, uint8_t value, int n)
{
    uint32_t c = 0;
    for (int i = 0; i < n; i++) c += p[i] == value;
    return c;
}

/* Products of int16 fit in int32; the sum wraps, so it is kept unsigned (defined behaviour everywhere). */
static uint32_t dot(const int16_t *v, const int16_t *w, int n)
{
    uint32_t s = 0;
    for (int i = 0; i < n; i++) s += (uint32_t)(v[i] * w[i]);
    return s;
}

/* c = a * b. The i-k-j order makes the inner loop c[i][*] += a[i][k] * b[k][*], element-wise over a row: each
 * element of c sums its products in the same order whether the loop runs 1 or 4 lanes at a time. */
static void matmul(float *restrict c, const float *restrict a, const float *restrict b)
{
    for (int i = 0; i < DIM; i++) {
        for (int j = 0; j < DIM; j++) c[i * DIM + j] = 0.0f;
        for (int k = 0; k < DIM; k++) {
            float aik = a[i * DIM + k];
            for (int j = 0; j < DIM; j++) c[i * DIM + j] += aik * b[k * DIM + j];
        }
    }
}

static uint32_t float_bits(float f)
{
    union { float f; uint32_t u; } v = { f };
    return v.u;
}

int main(int argc, char **argv)
{
    long rounds = bench_arg(argc, argv, 250);
    bench_rng rng = { 0x2545f491u };
    for (int i = 0; i < PIXELS; i++) {
        img_a[i] = (uint8_t)bench_next(&rng);
        img_b[i] = (uint8_t)bench_next(&rng);
        alpha[i] = (uint8_t)bench_next(&rng);
    }
    /* Floats in [-1, 1) with 16 significant bits: exact in f32, so both builds start from the same values. */
    for (int i = 0; i < FLOATS; i++) {
        fx[i] = (float)((int32_t)(bench_next(&rng) >> 16) - 32768) / 32768.0f;
        fy[i] = (float)((int32_t)(bench_next(&rng) >> 16) - 32768) / 32768.0f;
    }
    for (int i = 0; i < SHORTS; i++) {
        sv[i] = (int16_t)bench_next(&rng);
        sw[i] = (int16_t)bench_next(&rng);
    }
    for (int i = 0; i < DIM * DIM; i++) {
        ma[i] = (float)((int32_t)(bench_next(&rng) >> 20) - 2048) / 2048.0f;
        mb[i] = (float)((int32_t)(bench_next(&rng) >> 20) - 2048) / 2048.0f;
    }

    uint32_t check = BENCH_MIX_INIT;
    for (long r = 0; r < rounds; r++) {
        /* Blend the other image in, alternating direction, so both images keep changing. */
        if (r & 1) blend(img_b, img_a, alpha, PIXELS);
        else blend(img_a, img_b, alpha, PIXELS);
        check = bench_mix(check, count(img_a, (uint8_t)(r * 37), PIXELS));
        check = bench_mix(check, img_a[(r * 7919) % PIXELS]);

        /* |a| + |b| < 1 keeps y bounded round after round. */
        saxpy(fy, fx, (float)((r & 7) - 4) * 0.0625f, 0.75f, FLOATS);
        check = bench_mix(check, float_bits(fy[(r * 4099) % FLOATS]));

        uint32_t d = dot(sv, sw, SHORTS);
        check = bench_mix(check, d);
        sw[(r * 131) % SHORTS] = (int16_t)d;

        matmul(mc, ma, mb);
        check = bench_mix(check, float_bits(mc[(r * 61) % (DIM * DIM)]));
        /* A new row for the next round's left matrix, from saxpy's output (|y| <= 1, so the product stays bounded). */
        int row = (int)(r % DIM);
        for (int j = 0; j < DIM; j++) ma[row * DIM + j] = fy[(r * DIM + j) % FLOATS];
    }
    printf("simdkernels %ld rounds: checksum %08x\n", rounds, check);
    return 0;
}
