/* File I/O in the (temporary) current directory: create, write, read, seek/tell, append, truncate,
 * pread/pwrite, stat, rename, links, directories, unlink; what is left behind is compared too. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static void show_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { printf("  %s: %s\n", path, errname(errno)); return; }
    char buf[256];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    printf("  %s (%zu bytes): %s\n", path, n, buf);
}

int main(void) {
    /* stdio streams */
    FILE *f = fopen("notes.txt", "w");
    if (!f) { printf("fopen: %s\n", errname(errno)); return 1; }
    fprintf(f, "line one\nline two\n");
    fclose(f);
    f = fopen("notes.txt", "a");
    fputs("line three\n", f);
    fclose(f);
    show_file("notes.txt");

    /* descriptors: seek, tell, read, overwrite in the middle */
    int fd = open("data.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    MUST(fd);
    MUST((int)write(fd, "0123456789", 10));
    printf("tell after write: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    printf("seek end-3: %ld\n", (long)lseek(fd, -3, SEEK_END));
    char buf[32] = {0};
    printf("read: %zd [%.*s]\n", read(fd, buf, sizeof buf), 3, buf);
    printf("seek set 4: %ld\n", (long)lseek(fd, 4, SEEK_SET));
    MUST((int)write(fd, "ab", 2));
    CHECK("seek before start", lseek(fd, -100, SEEK_SET));
    printf("seek past end: %ld\n", (long)lseek(fd, 20, SEEK_SET));
    MUST((int)write(fd, "Z", 1)); /* leaves a hole of zeros */

    /* positioned I/O leaves the offset alone */
    MUST((int)pwrite(fd, "PQ", 2, 0));
    memset(buf, 0, sizeof buf);
    printf("pread: %zd [%.4s]\n", pread(fd, buf, 4, 0), buf);
    printf("tell after pread/pwrite: %ld\n", (long)lseek(fd, 0, SEEK_CUR));

    struct stat st;
    MUST(fstat(fd, &st));
    printf("size %lld, regular %d, links %lu\n", (long long)st.st_size, S_ISREG(st.st_mode), (unsigned long)st.st_nlink);
    MUST(ftruncate(fd, 6));
    MUST(fstat(fd, &st));
    printf("after ftruncate: %lld\n", (long long)st.st_size);
    MUST(ftruncate(fd, 8));
    MUST(fsync(fd));
    MUST(close(fd));
    CHECK("close again", close(fd));
    CHECK("read closed", read(fd, buf, 1));

    /* O_APPEND, O_EXCL, O_TRUNC */
    fd = open("log.txt", O_CREAT | O_WRONLY | O_APPEND, 0644);
    MUST(fd);
    MUST((int)write(fd, "first\n", 6));
    MUST((int)lseek(fd, 0, SEEK_SET));
    MUST((int)write(fd, "second\n", 7));
    close(fd);
    show_file("log.txt");
    CHECK("O_EXCL on existing", open("log.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
    CHECK("open missing", open("missing.txt", O_RDONLY));
    CHECK("write to read-only fd", (fd = open("log.txt", O_RDONLY), write(fd, "x", 1)));
    close(fd);
    fd = open("log.txt", O_WRONLY | O_TRUNC);
    MUST(fd);
    MUST((int)write(fd, "rewritten\n", 10));
    close(fd);
    show_file("log.txt");

    /* directories */
    CHECK("mkdir sub", mkdir("sub", 0755));
    CHECK("mkdir sub again", mkdir("sub", 0755));
    CHECK("mkdir sub/deeper", mkdir("sub/deeper", 0755));
    CHECK("mkdir in missing parent", mkdir("nope/deeper", 0755));
    CHECK("rmdir non-empty", rmdir("sub"));
    CHECK("open dir for writing", open("sub", O_WRONLY));
    CHECK("open file as dir", open("notes.txt", O_RDONLY | O_DIRECTORY));
    CHECK("file/ as path", open("notes.txt/", O_RDONLY));
    CHECK("stat sub/deeper/..", stat("sub/deeper/..", &st));
    printf("  is dir: %d\n", S_ISDIR(st.st_mode));

    /* rename, links */
    CHECK("rename data.bin -> sub/moved.bin", rename("data.bin", "sub/moved.bin"));
    CHECK("rename missing", rename("data.bin", "x"));
    CHECK("rename file over dir", rename("notes.txt", "sub/deeper"));
    CHECK("link", link("notes.txt", "sub/hardlink.txt"));
    MUST(stat("notes.txt", &st));
    printf("  links now %lu\n", (unsigned long)st.st_nlink);
    CHECK("symlink", symlink("../notes.txt", "sub/soft.txt"));
    char target[64] = {0};
    printf("readlink: %zd [%s]\n", readlink("sub/soft.txt", target, sizeof target - 1), target);
    show_file("sub/soft.txt");
    CHECK("lstat symlink", lstat("sub/soft.txt", &st));
    printf("  is link: %d\n", S_ISLNK(st.st_mode));
    CHECK("symlink dangling", symlink("nowhere", "dangling"));
    CHECK("open dangling", open("dangling", O_RDONLY));
    CHECK("unlink dir", unlink("sub/deeper"));
    CHECK("rmdir sub/deeper", rmdir("sub/deeper"));
    CHECK("unlink notes.txt", unlink("notes.txt"));
    CHECK("unlink notes.txt again", unlink("notes.txt"));
    show_file("sub/hardlink.txt");
    show_file("sub/moved.bin");

    /* timestamps, space allocation, advice, path-based truncation */
    struct timespec times[2] = {{1000000000, 250}, {1234567890, 500}};
    CHECK("utimensat", utimensat(AT_FDCWD, "log.txt", times, 0));
    MUST(stat("log.txt", &st));
    printf("  atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec only_mtime[2] = {{0, UTIME_OMIT}, {1500000000, 0}};
    fd = open("log.txt", O_RDWR);
    MUST(fd);
    CHECK("futimens", futimens(fd, only_mtime));
    MUST(fstat(fd, &st));
    printf("  atime %lld mtime %lld\n", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec);
    printf("posix_fallocate: %s\n", errname(posix_fallocate(fd, 0, 5000)));
    MUST(fstat(fd, &st));
    printf("  size after fallocate: %lld\n", (long long)st.st_size);
    printf("posix_fadvise: %s\n", errname(posix_fadvise(fd, 0, 100, POSIX_FADV_SEQUENTIAL)));
    CHECK("fdatasync", fdatasync(fd));
    close(fd);
    CHECK("truncate", truncate("log.txt", 4));
    show_file("log.txt");
    CHECK("truncate missing", truncate("nothing-here", 4));

    /* many files opened, written and deleted */
    for (int i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof name, "tmp%03d", i);
        int t = open(name, O_CREAT | O_WRONLY, 0644);
        if (t < 0) { printf("create %s: %s\n", name, errname(errno)); return 1; }
        dprintf(t, "%d\n", i);
        close(t);
    }
    for (int i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof name, "tmp%03d", i);
        if (unlink(name) != 0) { printf("unlink %s: %s\n", name, errname(errno)); return 1; }
    }
    printf("300 files created and removed\n");
    return 0;
}
