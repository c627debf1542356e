/* Exit codes: "exit N" calls exit(N) after output to stdout and stderr (both must be flushed);
 * "return N" returns N from main; "abort" aborts (a trap under wasm, SIGABRT natively: both exit with 134). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    printf("to stdout before exiting\n");
    fprintf(stderr, "to stderr before exiting\n");
    if (argc < 3) return 0;
    int code = atoi(argv[2]);
    if (strcmp(argv[1], "exit") == 0) exit(code);
    if (strcmp(argv[1], "abort") == 0) {
        fflush(stdout);
        abort();
    }
    return code;
}
