/* Large writes: several MiB to stdout in writes of many sizes, and a 16 MiB file written, read back and
 * checked, then left in place to be compared. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "common.h"

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(void) {
    size_t size = 4u << 20;
    char *block = malloc(size);
    for (size_t i = 0; i < size; i++) block[i] = (char)('a' + (i * 7 + i / 251) % 26);
    block[size - 1] = '\n';
    /* stdout: one huge write, then many small and odd-sized ones. */
    MUST(write_all(1, block, size));
    for (size_t off = 0, step = 1; off < size; off += step, step = step * 3 % 65521 + 1)
        MUST(write_all(1, block + off, (off + step > size ? size - off : step)));
    fflush(stdout);

    int fd = open("big.bin", O_CREAT | O_TRUNC | O_RDWR, 0644);
    MUST(fd);
    for (int i = 0; i < 4; i++) MUST(write_all(fd, block, size));
    MUST((int)lseek(fd, 0, SEEK_SET));
    char *back = malloc(size);
    size_t bad = 0;
    for (int i = 0; i < 4; i++) {
        size_t got = 0;
        while (got < size) {
            ssize_t r = read(fd, back + got, size - got);
            MUST((int)r);
            if (r == 0) break;
            got += (size_t)r;
        }
        if (got != size || memcmp(back, block, size) != 0) bad++;
    }
    close(fd);
    fprintf(stderr, "file: %s\n", bad ? "MISMATCH" : "verified 16 MiB");
    free(block);
    free(back);
    return 0;
}
