/* A CoreMark-like mix, written for this project: each iteration runs a linked-list kernel (find, reverse,
 * merge sort), a matrix kernel (int16 matrices: add, multiply by a constant, by a vector, by a matrix),
 * a state machine that classifies the tokens of a string, and folds every result into a CRC-16. */
#include "bench.h"
#include <string.h>

/* ---- CRC-16 (CCITT polynomial 0x1021, bit by bit) ---- */

static uint16_t crc16_byte(uint8_t data, uint16_t crc)
{
    crc ^= (uint16_t)(data << 8);
    for (int i = 0; i < 8; i++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    return crc;
}

static uint16_t crc16_u32(uint32_t v, uint16_t crc)
{
    for (int i = 0; i < 4; i++) crc = crc16_byte((uint8_t)(v >> (8 * i)), crc);
    return crc;
}

/* ---- linked list ---- */

typedef struct node { struct node *next; int16_t data, idx; } node;

#define LIST_NODES 256

static node *list_build(node *pool, bench_rng *r)
{
    for (int i = 0; i < LIST_NODES; i++) {
        pool[i].data = (int16_t)(bench_next(r) & 0x7fff);
        pool[i].idx = (int16_t)i;
        pool[i].next = i + 1 < LIST_NODES ? &pool[i + 1] : NULL;
    }
    return pool;
}

static node *list_find(node *list, int16_t data)
{
    while (list && list->data != data) list = list->next;
    return list;
}

static node *list_reverse(node *list)
{
    node *prev = NULL;
    while (list) {
        node *next = list->next;
        list->next = prev;
        prev = list;
        list = next;
    }
    return prev;
}

static int cmp_data(const node *a, const node *b) { return a->data != b->data ? a->data - b->data : a->idx - b->idx; }
static int cmp_idx(const node *a, const node *b) { return a->idx - b->idx; }

/* Bottom-up merge sort of a singly linked list, stable, no recursion. */
static node *list_sort(node *list, int (*cmp)(const node *, const node *))
{
    for (int width = 1;; width *= 2) {
        node *p = list, *head = NULL, *tail = NULL;
        int merges = 0;
        while (p) {
            merges++;
            node *q = p;
            int psize = 0;
            for (int i = 0; i < width && q; i++) { psize++; q = q->next; }
            int qsize = width;
            while (psize > 0 || (qsize > 0 && q)) {
                node *e;
                if (psize == 0) { e = q; q = q->next; qsize--; }
                else if (qsize == 0 || !q || cmp(p, q) <= 0) { e = p; p = p->next; psize--; }
                else { e = q; q = q->next; qsize--; }
                if (tail) tail->next = e; else head = e;
                tail = e;
            }
            p = q;
        }
        tail->next = NULL;
        list = head;
        if (merges <= 1) return list;
    }
}

static uint16_t list_kernel(node *pool, bench_rng *r, uint16_t crc)
{
    node *list = list_build(pool, r);
    for (int i = 0; i < 32; i++) {
        node *f = list_find(list, pool[bench_next(r) % LIST_NODES].data);
        crc = crc16_u32(f ? (uint32_t)f->idx : 0xffffu, crc);
        crc = crc16_u32(list_find(list, (int16_t)(bench_next(r) & 0x7fff)) ? 1u : 0u, crc);
    }
    list = list_reverse(list);
    list = list_sort(list, cmp_data);
    for (node *p = list; p; p = p->next) crc = crc16_u32((uint32_t)(uint16_t)p->idx, crc);
    list = list_sort(list, cmp_idx);
    for (node *p = list; p; p = p->next) crc = crc16_u32((uint32_t)(uint16_t)p->data, crc);
    return crc;
}

/* ---- matrices ---- */

#define M 24

static uint16_t matrix_kernel(int16_t a[M][M], int16_t b[M][M], int32_t c[M][M], bench_rng *r, uint16_t crc)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            a[i][j] = (int16_t)(bench_next(r) % 256 - 128);
            b[i][j] = (int16_t)(bench_next(r) % 256 - 128);
        }
    int16_t k = (int16_t)(bench_next(r) % 16 + 1);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) a[i][j] = (int16_t)(a[i][j] + k);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) c[i][j] = (int32_t)a[i][j] * k;
    int32_t sum = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) sum += c[i][j];
    crc = crc16_u32((uint32_t)sum, crc);
    for (int i = 0; i < M; i++) {
        int32_t acc = 0;
        for (int j = 0; j < M; j++) acc += (int32_t)a[i][j] * b[0][j];
        c[i][0] = acc;
    }
    crc = crc16_u32((uint32_t)c[M / 2][0], crc);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            int32_t acc = 0;
            for (int t = 0; t < M; t++) acc += (int32_t)a[i][t] * b[t][j];
            c[i][j] = acc;
        }
    sum = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) sum += (c[i][j] >> 2) & 0xfff;
    return crc16_u32((uint32_t)sum, crc);
}

/* ---- state machine ---- */

enum state { START, INT, FLOAT, EXPONENT, SCIENTIFIC, INVALID, STATES };

static enum state step(enum state s, char c)
{
    int digit = c >= '0' && c <= '9';
    switch (s) {
    case START: return digit ? INT : (c == '+' || c == '-') ? INT : c == '.' ? FLOAT : INVALID;
    case INT: return digit ? INT : c == '.' ? FLOAT : (c == 'e' || c == 'E') ? EXPONENT : INVALID;
    case FLOAT: return digit ? FLOAT : (c == 'e' || c == 'E') ? EXPONENT : INVALID;
    case EXPONENT: return (digit || c == '+' || c == '-') ? SCIENTIFIC : INVALID;
    case SCIENTIFIC: return digit ? SCIENTIFIC : INVALID;
    default: return INVALID;
    }
}

static const char *const tokens[] = {"5012", "1234", "-874", "+122", "35.54", ".1234", "-110.7", "0.64",
                                     "5.500e+3", "-.123e-2", "-87e+832", "+0.6e-12", "T0.3e-1F", "-T.T++Tq", "1T3.4e4z", "34.0e-T^"};

static uint16_t state_kernel(char *text, size_t cap, bench_rng *r, uint16_t crc)
{
    size_t len = 0;
    while (1) {
        const char *t = tokens[bench_next(r) % 16];
        size_t n = strlen(t);
        if (len + n + 1 >= cap) break;
        memcpy(text + len, t, n);
        len += n;
        text[len++] = ',';
    }
    text[len] = 0;
    uint32_t final_counts[STATES] = {0}, transitions = 0;
    for (int pass = 0; pass < 2; pass++) {
        enum state s = START;
        for (char *p = text; *p; p++) {
            if (*p == ',') {
                final_counts[s]++;
                s = START;
                continue;
            }
            enum state next = step(s, *p);
            transitions += next != s;
            s = next;
        }
        /* Second pass: corrupt every 7th byte, as CoreMark does, so the outcome differs. */
        for (size_t i = 0; i < len; i += 7)
            if (text[i] != ',') text[i] = (char)(text[i] ^ 0x01);
    }
    for (int i = 0; i < STATES; i++) crc = crc16_u32(final_counts[i], crc);
    return crc16_u32(transitions, crc);
}

int main(int argc, char **argv)
{
    long iterations = bench_arg(argc, argv, 4000);
    node *pool = malloc(LIST_NODES * sizeof *pool);
    int16_t (*a)[M] = malloc(sizeof(int16_t[M][M])), (*b)[M] = malloc(sizeof(int16_t[M][M]));
    int32_t (*c)[M] = malloc(sizeof(int32_t[M][M]));
    char *text = malloc(1024);
    bench_rng rng = {0x66};
    uint16_t crc = 0;
    for (long i = 0; i < iterations; i++) {
        crc = list_kernel(pool, &rng, crc);
        crc = matrix_kernel(a, b, c, &rng, crc);
        crc = state_kernel(text, 1024, &rng, crc);
    }
    printf("coremark-like %ld iterations: crc %04x\n", iterations, crc);
    free(pool); free(a); free(b); free(c); free(text);
    return 0;
}
