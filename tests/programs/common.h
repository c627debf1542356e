/* Helpers shared by the test programs. Every program builds both natively (gcc) and for wasm32-wasi (clang-19
 * with wasi-libc), and must print the same thing under both, so output never depends on errno numbering
 * (which differs between Linux and WASI), addresses or timing. */
#ifndef WASMSHARP_TEST_COMMON_H
#define WASMSHARP_TEST_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The symbolic name of an errno value, the same on both targets. */
static const char *errname(int e) {
    switch (e) {
    case 0: return "OK";
    case EACCES: return "EACCES";
    case EBADF: return "EBADF";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case EIO: return "EIO";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case EMFILE: return "EMFILE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOENT: return "ENOENT";
    case ENOSPC: return "ENOSPC";
    case ENOSYS: return "ENOSYS";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EPERM: return "EPERM";
    case ESPIPE: return "ESPIPE";
    case EXDEV: return "EXDEV";
#ifdef ENOTCAPABLE
    case ENOTCAPABLE: return "ENOTCAPABLE";
#endif
    default: return "E?";
    }
}

/* Prints "label: OK" or "label: ENAME" for a call's result (0/positive = success, -1 = failure with errno). */
#define CHECK(label, expr)                                                    \
    do {                                                                      \
        errno = 0;                                                            \
        long check_r_ = (long)(expr);                                         \
        printf("%s: %s\n", (label), check_r_ < 0 ? errname(errno) : "OK");   \
    } while (0)

/* Fails the program with a message when a setup step that must work does not. */
#define MUST(expr)                                                                          \
    do {                                                                                    \
        if ((expr) < 0) {                                                                   \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr, errname(errno)); \
            return 99;                                                                      \
        }                                                                                   \
    } while (0)

#endif
