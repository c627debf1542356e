/* Quicksort (median of three, insertion sort for short ranges) of N pseudo-random ints. */
#include "bench.h"

static void insertion_sort(int32_t *a, long lo, long hi)
{
    for (long i = lo + 1; i <= hi; i++) {
        int32_t v = a[i];
        long j = i - 1;
        while (j >= lo && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void swap(int32_t *a, long i, long j)
{
    int32_t t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static void quicksort(int32_t *a, long lo, long hi)
{
    while (hi - lo > 16) {
        long mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo]) swap(a, mid, lo);
        if (a[hi] < a[lo]) swap(a, hi, lo);
        if (a[hi] < a[mid]) swap(a, hi, mid);
        int32_t pivot = a[mid];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) swap(a, i++, j--);
        }
        /* Recurse into the smaller part, loop on the larger: the stack stays logarithmic. */
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
    insertion_sort(a, lo, hi);
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1000000);
    int32_t *a = malloc((size_t)n * sizeof *a);
    bench_rng rng = {12345};
    uint32_t check = BENCH_MIX_INIT;
    for (int round = 0; round < 3; round++) {
        for (long i = 0; i < n; i++) a[i] = (int32_t)bench_next(&rng);
        quicksort(a, 0, n - 1);
        for (long i = 1; i < n; i++)
            if (a[i - 1] > a[i]) {
                printf("not sorted at %ld\n", i);
                return 1;
            }
        for (long i = 0; i < n; i += 97) check = bench_mix(check, (uint32_t)a[i]);
    }
    printf("sorted %ld ints 3 times, min %d max %d, checksum %08x\n", n, a[0], a[n - 1], check);
    free(a);
    return 0;
}
