/* poll (poll_oneoff under WASI): a timeout alone waits at least as long as asked; standard input with data is
 * readable, standard output writable, a regular file both; sched_yield returns. Prints verdicts only. */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "common.h"

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void) {
    long long t0 = now_ns();
    int n = poll(NULL, 0, 40);
    long long waited = now_ns() - t0;
    printf("poll(no fds, 40ms) = %d, waited >= 40ms: %s\n", n, waited >= 40000000LL ? "yes" : "no");

    struct pollfd in = {.fd = 0, .events = POLLIN};
    n = poll(&in, 1, 5000);
    printf("stdin: %d ready, readable: %s\n", n, (in.revents & POLLIN) ? "yes" : "no");
    char buf[16] = {0};
    printf("read after poll: %zd bytes\n", read(0, buf, 5));

    struct pollfd out = {.fd = 1, .events = POLLOUT};
    n = poll(&out, 1, 5000);
    printf("stdout: %d ready, writable: %s\n", n, (out.revents & POLLOUT) ? "yes" : "no");

    int fd = open("polled.txt", O_CREAT | O_RDWR, 0644);
    MUST(fd);
    struct pollfd file[2] = {{.fd = fd, .events = POLLIN}, {.fd = fd, .events = POLLOUT}};
    n = poll(file, 2, 0);
    printf("regular file: %d ready, readable: %s, writable: %s\n", n, (file[0].revents & POLLIN) ? "yes" : "no",
           (file[1].revents & POLLOUT) ? "yes" : "no");
    close(fd);

    printf("sched_yield: %d\n", sched_yield());
    return 0;
}
