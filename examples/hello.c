/* The WasmSharp sample: a small WASI program. It greets the names given as arguments, reads an environment
 * variable, keeps a visitor log in the directory it was given (/data), and lists that directory.
 * Built by scripts/run-sample.sh with clang-19 --target=wasm32-wasi and run with
 *     wasmsharp run --dir artifacts/examples/data::/data --env GREETING=Hello artifacts/examples/hello.wasm World */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    const char *greeting = getenv("GREETING");
    if (!greeting) greeting = "Hi";
    for (int i = 1; i < argc; i++) printf("%s, %s!\n", greeting, argv[i]);
    if (argc < 2) printf("%s, whoever you are!\n", greeting);

    FILE *log = fopen("/data/visitors.txt", "a");
    if (!log) {
        perror("cannot open /data/visitors.txt (run with --dir HOST::/data)");
        return 1;
    }
    for (int i = 1; i < argc; i++) fprintf(log, "%s\n", argv[i]);
    fclose(log);

    log = fopen("/data/visitors.txt", "r");
    char line[256];
    int visits = 0;
    while (fgets(line, sizeof line, log)) visits++;
    fclose(log);
    printf("/data/visitors.txt now lists %d visitor%s.\n", visits, visits == 1 ? "" : "s");

    DIR *dir = opendir("/data");
    struct dirent *entry;
    printf("/data holds:");
    while ((entry = readdir(dir)) != NULL)
        if (entry->d_name[0] != '.') printf(" %s", entry->d_name);
    printf("\n");
    closedir(dir);
    return 0;
}
