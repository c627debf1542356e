/* Fannkuch-redux: permutations and prefix reversals of small int arrays. */
#include "bench.h"

int main(int argc, char **argv)
{
    int n = (int)bench_arg(argc, argv, 10);
    if (n > 16) n = 16;
    int perm[16], perm1[16], count[16];
    int max_flips = 0, checksum = 0, permutation = 0;
    for (int i = 0; i < n; i++) perm1[i] = i;
    int r = n;
    for (;;) {
        for (; r != 1; r--) count[r - 1] = r;
        for (int i = 0; i < n; i++) perm[i] = perm1[i];
        int flips = 0;
        for (int k = perm[0]; k != 0; k = perm[0]) {
            for (int i = 0, j = k; i < j; i++, j--) {
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            flips++;
        }
        if (flips > max_flips) max_flips = flips;
        checksum += (permutation % 2 == 0) ? flips : -flips;
        /* Next permutation in the order the original benchmark defines. */
        for (;;) {
            if (r == n) {
                printf("fannkuch(%d): checksum %d, max flips %d\n", n, checksum, max_flips);
                return 0;
            }
            int first = perm1[0];
            for (int i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = first;
            if (--count[r] > 0) break;
            r++;
        }
        permutation++;
    }
}
