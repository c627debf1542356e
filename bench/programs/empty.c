/* Does nothing but print: its run time is an engine's floor (process start, runtime start-up, loading a
 * small module with libc's printf), which the harness subtracts to separate execution from start-up. */
#include "bench.h"

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1);
    printf("empty %ld\n", n);
    return 0;
}
