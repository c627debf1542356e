/* Environment: getenv, and the whole environment sorted (its order is the host's business). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
    const char *names[] = {"GREETING", "EMPTY", "WITH_EQUALS", "UNICODE", "MISSING"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *v = getenv(names[i]);
        printf("%s=%s\n", names[i], v ? v : "(unset)");
    }
    int n = 0;
    while (environ[n]) n++;
    char **copy = malloc(sizeof(char *) * (n + 1));
    memcpy(copy, environ, sizeof(char *) * (n + 1));
    qsort(copy, n, sizeof(char *), compare);
    printf("%d variables\n", n);
    for (int i = 0; i < n; i++) printf("  %s\n", copy[i]);
    free(copy);
    return 0;
}
