/* measure OUTFILE COMMAND [ARGS...]: runs COMMAND as a child process with stdin, stdout and stderr inherited,
 * waits for it, and writes one line to OUTFILE:
 *     WALL_US USER_US SYS_US MAXRSS_KB STATUS
 * wall time from just before fork to the end of wait4 (CLOCK_MONOTONIC), the child's CPU times and peak
 * resident set size from wait4's rusage (microsecond resolution, unlike GNU time's 10 ms), and STATUS the exit
 * code, or 128 + the signal number. The wrapper exits with STATUS too. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long micros(const struct timespec *t) { return (long long)t->tv_sec * 1000000 + t->tv_nsec / 1000; }

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: measure OUTFILE COMMAND [ARGS...]\n");
        return 125;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid < 0) {
        perror("measure: fork");
        return 125;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "measure: cannot run %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            perror("measure: wait4");
            return 125;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 125;
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror("measure: output file");
        return 125;
    }
    fprintf(out, "%lld %lld %lld %ld %d\n", micros(&end) - micros(&start),
            (long long)usage.ru_utime.tv_sec * 1000000 + usage.ru_utime.tv_usec,
            (long long)usage.ru_stime.tv_sec * 1000000 + usage.ru_stime.tv_usec, usage.ru_maxrss, code);
    fclose(out);
    return code;
}
