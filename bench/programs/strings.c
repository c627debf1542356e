/* String building with malloc/realloc/free: many short-lived strings grown piece by piece, kept in a ring
 * whose old entries are freed, and joined now and then: the allocator and small copies dominate. */
#include "bench.h"
#include <string.h>

typedef struct { char *p; size_t len, cap; } str;

static void append(str *s, const char *t, size_t n)
{
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 16;
        while (s->len + n + 1 > cap) cap *= 2;
        s->p = realloc(s->p, cap);
        s->cap = cap;
    }
    memcpy(s->p + s->len, t, n);
    s->len += n;
    s->p[s->len] = 0;
}

static void append_uint(str *s, uint32_t v)
{
    char tmp[12];
    int i = sizeof tmp;
    do tmp[--i] = (char)('0' + v % 10); while ((v /= 10) != 0);
    append(s, tmp + i, sizeof tmp - (size_t)i);
}

static const char *const words[] = {"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit"};

#define RING 4096

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1000000);
    str *ring = calloc(RING, sizeof *ring);
    bench_rng rng = {0xfeedface};
    uint32_t check = BENCH_MIX_INIT;
    uint64_t total = 0;
    for (long i = 0; i < n; i++) {
        str s = {0};
        int pieces = 1 + (int)(bench_next(&rng) % 12);
        for (int k = 0; k < pieces; k++) {
            const char *w = words[bench_next(&rng) % 8];
            append(&s, w, strlen(w));
            append(&s, "-", 1);
            append_uint(&s, bench_next(&rng) % 100000);
        }
        size_t slot = bench_next(&rng) % RING;
        if (i % 16 == 0 && ring[slot].p) {
            /* Join the new string onto an old one, then drop the new one. */
            append(&ring[slot], s.p, s.len);
            free(s.p);
            if (ring[slot].len > 4096) {
                check = bench_mix(check, (uint32_t)ring[slot].len);
                free(ring[slot].p);
                ring[slot] = (str){0};
            }
        } else {
            if (ring[slot].p) {
                check = bench_mix(check, (uint8_t)ring[slot].p[ring[slot].len / 2]);
                free(ring[slot].p);
            }
            ring[slot] = s;
        }
        total += s.len;
    }
    for (int i = 0; i < RING; i++) {
        if (ring[i].p) check = bench_mix(check, (uint32_t)ring[i].len);
        free(ring[i].p);
    }
    free(ring);
    printf("strings %ld built, %llu bytes, checksum %08x\n", n, (unsigned long long)total, check);
    return 0;
}
