/* Directory listing: readdir over a directory with files, subdirectories and a symlink, sorted by name
 * (the host's order is unspecified), with entry types; rewinddir; and a directory with many entries. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static const char *type_name(unsigned char t) {
    switch (t) {
    case DT_REG: return "file";
    case DT_DIR: return "dir";
    case DT_LNK: return "link";
    default: return "other";
    }
}

static int list(const char *path) {
    DIR *d = opendir(path);
    if (!d) { printf("opendir %s: %s\n", path, errname(errno)); return 1; }
    char *names[512];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 512) {
        char *s = malloc(strlen(e->d_name) + 16);
        sprintf(s, "%s (%s)", e->d_name, type_name(e->d_type));
        names[n++] = s;
    }
    int first = n;
    rewinddir(d);
    int again = 0;
    while (readdir(d) != NULL) again++;
    closedir(d);
    qsort(names, n, sizeof *names, compare);
    printf("%s: %d entries (%d after rewind)\n", path, first, again);
    for (int i = 0; i < n && i < 12; i++) printf("  %s\n", names[i]);
    for (int i = 0; i < n; i++) free(names[i]);
    return 0;
}

int main(void) {
    MUST(mkdir("tree", 0755));
    MUST(mkdir("tree/sub", 0755));
    MUST(mkdir("tree/empty", 0755));
    const char *files[] = {"tree/a.txt", "tree/b.txt", "tree/sub/c.txt", "tree/Zeta"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        int fd = open(files[i], O_CREAT | O_WRONLY, 0644);
        MUST(fd);
        close(fd);
    }
    MUST(symlink("a.txt", "tree/link"));
    list("tree");
    list("tree/sub");
    list("tree/empty");
    list("tree/missing");

    MUST(mkdir("many", 0755));
    for (int i = 0; i < 400; i++) {
        char name[64];
        snprintf(name, sizeof name, "many/file-with-a-longish-name-%04d", i);
        int fd = open(name, O_CREAT | O_WRONLY, 0644);
        MUST(fd);
        close(fd);
    }
    list("many");
    for (int i = 0; i < 400; i += 2) {
        char name[64];
        snprintf(name, sizeof name, "many/file-with-a-longish-name-%04d", i);
        MUST(unlink(name));
    }
    list("many");
    return 0;
}
