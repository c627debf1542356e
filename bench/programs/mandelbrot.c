/* Mandelbrot set on an N x N grid, 50 iterations at most: f64 multiply-add loops with an early exit. */
#include "bench.h"

int main(int argc, char **argv)
{
    int n = (int)bench_arg(argc, argv, 2000);
    uint32_t check = BENCH_MIX_INIT;
    long inside = 0;
    for (int y = 0; y < n; y++) {
        double ci = 2.0 * y / n - 1.0;
        uint32_t bits = 0;
        for (int x = 0; x < n; x++) {
            double cr = 2.0 * x / n - 1.5;
            double zr = 0, zi = 0, tr = 0, ti = 0;
            int i = 0;
            for (; i < 50 && tr + ti <= 4.0; i++) {
                zi = 2.0 * zr * zi + ci;
                zr = tr - ti + cr;
                tr = zr * zr;
                ti = zi * zi;
            }
            bits = bits << 1 | (i == 50);
            inside += i == 50;
            if ((x & 31) == 31) {
                check = bench_mix(check, bits);
                bits = 0;
            }
        }
        check = bench_mix(check, bits);
    }
    printf("mandelbrot %dx%d: %ld inside, checksum %08x\n", n, n, inside, check);
    return 0;
}
