/* Shared helpers of the benchmark programs: the size argument, a deterministic PRNG and a checksum mixer.
 * Every program behaves the same on wasm32 and on x86-64: fixed-width types only, no undefined behaviour,
 * no result that depends on addresses or on the host. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The program's size parameter: argv[1] when given, else the default (the "full" size). */
static inline long bench_arg(int argc, char **argv, long fallback)
{
    if (argc < 2) return fallback;
    long v = strtol(argv[1], NULL, 10);
    if (v <= 0) {
        fprintf(stderr, "usage: %s [N > 0]\n", argv[0]);
        exit(2);
    }
    return v;
}

/* xorshift32: small, fast and identical everywhere. The state must not be zero. */
typedef struct { uint32_t s; } bench_rng;

static inline uint32_t bench_next(bench_rng *r)
{
    uint32_t x = r->s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return r->s = x;
}

/* FNV-1a style mixing of a 32-bit value into a running checksum. */
static inline uint32_t bench_mix(uint32_t h, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        h ^= (v >> (8 * i)) & 0xffu;
        h *= 16777619u;
    }
    return h;
}

#define BENCH_MIX_INIT 2166136261u

#endif
