/* Sandbox escapes (wasm only: a native build has no sandbox). Run with the current directory preopened as
 * "." and a sibling directory "../outside" holding "secret"; every attempt to reach outside must fail with
 * the errno printed in sandbox.expected, and nothing outside may change. Both the C library's calls and raw
 * WASI calls (which pass paths to the host unmodified) are tried. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>
#include "common.h"

#define PREOPEN 3

/* path_open itself, taking (pointer, length) paths as the ABI does, for paths the C wrappers cannot express. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open")))
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags,
                      int64_t rights_base, int64_t rights_inheriting, int32_t fdflags, int32_t result);

static const char *wasi_name(__wasi_errno_t e) {
    switch (e) {
    case __WASI_ERRNO_SUCCESS: return "OK";
    case __WASI_ERRNO_NOTCAPABLE: return "ENOTCAPABLE";
    case __WASI_ERRNO_PERM: return "EPERM";
    case __WASI_ERRNO_NOENT: return "ENOENT";
    case __WASI_ERRNO_LOOP: return "ELOOP";
    case __WASI_ERRNO_NOTDIR: return "ENOTDIR";
    case __WASI_ERRNO_EXIST: return "EEXIST";
    case __WASI_ERRNO_INVAL: return "EINVAL";
    case __WASI_ERRNO_ILSEQ: return "EILSEQ";
    case __WASI_ERRNO_FAULT: return "EFAULT";
    case __WASI_ERRNO_BADF: return "EBADF";
    default: return "E?";
    }
}

static void raw_open(const char *label, const char *path, __wasi_lookupflags_t lookup, __wasi_oflags_t oflags) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(PREOPEN, lookup, path, oflags,
                                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
    printf("raw open %s: %s\n", label, wasi_name(e));
    if (e == 0) (void)!__wasi_fd_close(fd);
}

__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_write")))
int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nwritten);

int main(void) {
    struct stat st;
    char buf[64];

    /* through the C library */
    CHECK("open ../outside/secret", open("../outside/secret", O_RDONLY));
    CHECK("open /etc/passwd", open("/etc/passwd", O_RDONLY));
    CHECK("stat ..", stat("..", &st));
    CHECK("opendir ..", opendir("..") ? 0 : -1);
    CHECK("create ../outside/new", open("../outside/new", O_CREAT | O_WRONLY, 0644));
    CHECK("mkdir ../outside/dir", mkdir("../outside/dir", 0755));
    CHECK("unlink ../outside/secret", unlink("../outside/secret"));
    CHECK("rename into ../outside", (close(open("mine", O_CREAT | O_WRONLY, 0644)), rename("mine", "../outside/stolen")));
    CHECK("link ../outside/secret", link("../outside/secret", "hard"));

    /* symlinks pointing out, made by the guest itself */
    CHECK("symlink to ../outside", symlink("../outside", "up"));
    CHECK("open up/secret", open("up/secret", O_RDONLY));
    CHECK("create through up/", open("up/created", O_CREAT | O_WRONLY, 0644));
    CHECK("stat up/secret", stat("up/secret", &st));
    CHECK("lstat up (the link itself)", lstat("up", &st));
    memset(buf, 0, sizeof buf);
    CHECK("readlink up", readlink("up", buf, sizeof buf - 1));
    printf("  target: %s\n", buf);
    CHECK("mkdir sub", mkdir("sub", 0755));
    CHECK("symlink sub/deep -> ../../outside/secret", symlink("../../outside/secret", "sub/deep"));
    CHECK("open sub/deep", open("sub/deep", O_RDONLY));
    CHECK("symlink sub/ok -> ../inside.txt", symlink("../inside.txt", "sub/ok"));
    CHECK("create via sub/ok (inside)", open("sub/ok", O_CREAT | O_WRONLY, 0644));
    CHECK("symlink absolute", symlink("/etc/passwd", "abs"));
    CHECK("symlink chain a -> b", symlink("b", "a"));
    CHECK("symlink chain b -> up/secret", symlink("up/secret", "b"));
    CHECK("open a", open("a", O_RDONLY));
    CHECK("symlink loop", symlink("loop", "loop"));
    CHECK("open loop", open("loop", O_RDONLY));
    CHECK("unlink up (removes only the link)", unlink("up"));
    CHECK("rename sub/deep -> moved", rename("sub/deep", "moved"));
    CHECK("open moved", open("moved", O_RDONLY));

    /* raw WASI calls: the paths reach the host exactly as written */
    raw_open("..", "..", 0, __WASI_OFLAGS_DIRECTORY);
    raw_open("../outside/secret", "../outside/secret", 0, 0);
    raw_open("sub/../../outside/secret", "sub/../../outside/secret", 0, 0);
    raw_open("sub/../inside.txt", "sub/../inside.txt", 0, 0);
    raw_open("/outside/secret", "/outside/secret", 0, 0);
    raw_open("/", "/", 0, __WASI_OFLAGS_DIRECTORY);
    raw_open("sub/./../..", "sub/./../..", 0, __WASI_OFLAGS_DIRECTORY);
    raw_open("moved (follow)", "moved", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0);
    raw_open("moved (nofollow)", "moved", 0, 0);
    raw_open("create ../x", "../x", 0, __WASI_OFLAGS_CREAT);
    static const char nul_path[] = "sub\0/../..";
    __wasi_fd_t out;
    printf("raw open with embedded NUL: %s\n", wasi_name((__wasi_errno_t)raw_path_open(
        PREOPEN, 0, (int32_t)nul_path, sizeof nul_path - 1, __WASI_OFLAGS_DIRECTORY, 0, 0, 0, (int32_t)&out)));
    static const char bad_utf8[] = "caf\xc3";
    printf("raw open with invalid UTF-8: %s\n", wasi_name((__wasi_errno_t)raw_path_open(
        PREOPEN, 0, (int32_t)bad_utf8, sizeof bad_utf8 - 1, 0, 0, 0, 0, (int32_t)&out)));
    printf("raw open with path out of bounds: %s\n", wasi_name((__wasi_errno_t)raw_path_open(
        PREOPEN, 0, 0x7ffffff0, 64, 0, 0, 0, 0, (int32_t)&out)));
    printf("raw open with result out of bounds: %s\n", wasi_name((__wasi_errno_t)raw_path_open(
        PREOPEN, 0, (int32_t)"inside.txt", 10, 0, 0, 0, 0, 0x7ffffff0)));
    __wasi_filestat_t fst;
    printf("raw filestat ..: %s\n", wasi_name(__wasi_path_filestat_get(PREOPEN, 0, "..", &fst)));
    printf("raw filestat moved (follow): %s\n",
           wasi_name(__wasi_path_filestat_get(PREOPEN, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "moved", &fst)));
    printf("raw create_directory ../made: %s\n", wasi_name(__wasi_path_create_directory(PREOPEN, "../made")));
    printf("raw remove_directory ..: %s\n", wasi_name(__wasi_path_remove_directory(PREOPEN, "..")));
    printf("raw unlink ../outside/secret: %s\n", wasi_name(__wasi_path_unlink_file(PREOPEN, "../outside/secret")));
    printf("raw symlink ../../etc as sub/e: %s\n", wasi_name(__wasi_path_symlink("../../etc", PREOPEN, "sub/e")));
    printf("raw open sub/e/passwd: %s\n", wasi_name(__wasi_path_open(PREOPEN, 0, "sub/e/passwd", 0, 0, 0, 0, &(__wasi_fd_t){0})));
    printf("raw rename to ../gone: %s\n", wasi_name(__wasi_path_rename(PREOPEN, "inside.txt", PREOPEN, "../gone")));
    printf("raw link ../outside/secret: %s\n",
           wasi_name(__wasi_path_link(PREOPEN, 0, "../outside/secret", PREOPEN, "hard2")));
    printf("raw set_times ../outside/secret: %s\n",
           wasi_name(__wasi_path_filestat_set_times(PREOPEN, 0, "../outside/secret", 0, 0, __WASI_FSTFLAGS_MTIM_NOW)));
    printf("raw readlink ..: %s\n",
           wasi_name(__wasi_path_readlink(PREOPEN, "..", (uint8_t *)buf, sizeof buf, &(__wasi_size_t){0})));

    static int32_t iov[2] = {0x7ffffff0, 16};
    int32_t written;
    printf("raw fd_write from a buffer out of bounds: %s\n",
           wasi_name((__wasi_errno_t)raw_fd_write(1, (int32_t)iov, 1, (int32_t)&written)));
    printf("raw fd_write with iovecs out of bounds: %s\n",
           wasi_name((__wasi_errno_t)raw_fd_write(1, 0x7ffffff0, 4, (int32_t)&written)));

    /* a directory descriptor below the preopen confines its own paths, even where the preopen goes on */
    int sub = open("sub", O_RDONLY | O_DIRECTORY);
    __wasi_fd_t f;
    printf("raw open ../inside.txt from sub: %s\n",
           wasi_name(__wasi_path_open((__wasi_fd_t)sub, 0, "../inside.txt", 0, 0, 0, 0, &f)));
    return 0;
}
