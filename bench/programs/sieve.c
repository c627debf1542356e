/* Sieve of Eratosthenes up to 8,000,000 over a byte array, N rounds: tight loops of byte loads and stores. */
#include "bench.h"
#include <string.h>

int main(int argc, char **argv)
{
    long rounds = bench_arg(argc, argv, 8);
    const long limit = 8000000;
    uint8_t *composite = malloc((size_t)limit + 1);
    uint32_t check = BENCH_MIX_INIT;
    long count = 0;
    for (long round = 0; round < rounds; round++) {
        memset(composite, 0, (size_t)limit + 1);
        count = 0;
        for (long i = 2; i <= limit; i++) {
            if (composite[i]) continue;
            count++;
            check = bench_mix(check, (uint32_t)i);
            if (i > limit / i) continue; /* i * i would pass the limit (and overflow a 32-bit long) */
            for (long j = i * i; j <= limit; j += i) composite[j] = 1;
        }
    }
    free(composite);
    printf("primes <= %ld: %ld (%ld rounds), checksum %08x\n", limit, count, rounds, check);
    return 0;
}
