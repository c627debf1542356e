/* Random: getentropy fills buffers (large ones too) with bytes that differ between calls and are not
 * degenerate. Prints verdicts only. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

int main(void) {
    unsigned char a[256], b[256];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    printf("getentropy: %s\n", getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0 ? "ok" : "failed");
    printf("two draws differ: %s\n", memcmp(a, b, sizeof a) != 0 ? "yes" : "no");
    int counts[256] = {0}, distinct = 0;
    for (size_t i = 0; i < sizeof a; i++) counts[a[i]]++;
    for (int i = 0; i < 256; i++) distinct += counts[i] > 0;
    printf("at least 100 distinct byte values in 256: %s\n", distinct >= 100 ? "yes" : "no");
    static unsigned char big[1 << 20];
    size_t done = 0;
    while (done < sizeof big) {
        size_t n = sizeof big - done > 256 ? 256 : sizeof big - done;
        if (getentropy(big + done, n) != 0) break;
        done += n;
    }
    unsigned long ones = 0;
    for (size_t i = 0; i < sizeof big; i++) ones += __builtin_popcount(big[i]);
    double ratio = (double)ones / (8.0 * sizeof big);
    printf("1 MiB of random bits balanced: %s\n", ratio > 0.49 && ratio < 0.51 ? "yes" : "no");
    return 0;
}
