/* Clocks: real time agrees with time(), monotonic never goes back, sleeping waits at least as long as asked,
 * CPU time advances with work, resolutions are sane. Prints verdicts, never times. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
    struct timespec a, b, r;
    time_t now = time(NULL);
    clock_gettime(CLOCK_REALTIME, &a);
    printf("realtime after 2020: %s\n", a.tv_sec > 1577836800 ? "yes" : "no");
    printf("realtime matches time(): %s\n", a.tv_sec - now <= 1 && now - a.tv_sec <= 1 ? "yes" : "no");

    int monotonic_ok = 1;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 100000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (ns(b) < ns(a)) monotonic_ok = 0;
        a = b;
    }
    printf("monotonic never decreases: %s\n", monotonic_ok ? "yes" : "no");

    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec nap = {0, 30 * 1000000};
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long slept = ns(b) - ns(a);
    printf("nanosleep 30ms waited >= 30ms: %s\n", slept >= 30000000LL ? "yes" : "no");
    printf("nanosleep 30ms waited < 2s: %s\n", slept < 2000000000LL ? "yes" : "no");

    clock_gettime(CLOCK_MONOTONIC, &a);
    usleep(5000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("usleep 5ms waited >= 5ms: %s\n", ns(b) - ns(a) >= 5000000LL ? "yes" : "no");

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < 3000000; i++) x += i * i;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    printf("process CPU time advances with work: %s\n", ns(b) > ns(a) ? "yes" : "no");

    printf("realtime resolution in (0, 1ms]: %s\n",
           clock_getres(CLOCK_REALTIME, &r) == 0 && ns(r) > 0 && ns(r) <= 1000000 ? "yes" : "no");
    printf("monotonic resolution in (0, 1ms]: %s\n",
           clock_getres(CLOCK_MONOTONIC, &r) == 0 && ns(r) > 0 && ns(r) <= 1000000 ? "yes" : "no");
    return 0;
}
