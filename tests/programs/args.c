/* Arguments: count and each argument after argv[0] (whose form differs between native and wasm runs). */
#include <stdio.h>

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=[%s]\n", i, argv[i]);
    return 0;
}
