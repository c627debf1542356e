/* Standard input: reads it all, in uneven pieces, and reports lines, bytes and a checksum; echoes the first
 * line upper-cased. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    static char buf[1 << 20];
    size_t total = 0, lines = 0;
    uint32_t sum = 0;
    char first[256] = {0};
    size_t first_len = 0;
    int in_first = 1;
    for (;;) {
        ssize_t n = read(0, buf, 1 + (total % 4093));
        if (n < 0) { perror("read"); return 1; }
        if (n == 0) break;
        for (ssize_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)buf[i];
            sum = sum * 31 + c;
            if (c == '\n') { lines++; in_first = 0; }
            else if (in_first && first_len < sizeof first - 1) first[first_len++] = (char)toupper(c);
        }
        total += (size_t)n;
    }
    printf("first line: %s\n", first);
    printf("%zu bytes, %zu lines, checksum %u\n", total, lines, (unsigned)sum);
    return 0;
}
