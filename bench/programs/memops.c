/* Memory-bound loop: memset and memcpy over buffers larger than the L2 cache, plus a strided read-back. */
#include "bench.h"
#include <string.h>

int main(int argc, char **argv)
{
    long rounds = bench_arg(argc, argv, 100);
    const size_t size = 8 << 20;
    uint8_t *a = malloc(size), *b = malloc(size);
    uint32_t check = BENCH_MIX_INIT;
    for (long r = 0; r < rounds; r++) {
        memset(a, (int)(r & 0xff), size);
        size_t shift = (size_t)(r * 4099) % 4096;
        /* Unaligned and offset copies, as a program's buffers would be. */
        memcpy(b, a + shift, size - shift);
        memcpy(b + (size - shift), a, shift);
        a[(size_t)(r * 7919) % size] = (uint8_t)r;
        memcpy(a + 1, b, size - 1);
        uint32_t sum = 0;
        for (size_t i = 0; i < size; i += 4096) sum += a[i] + b[i + 7];
        check = bench_mix(check, sum);
    }
    printf("memops %ld rounds of 8 MiB: checksum %08x\n", rounds, check);
    free(a);
    free(b);
    return 0;
}
