/* A byte-level tokenizer for a JSON-like document: a generated document is scanned again and again,
 * counting tokens, unescaping strings and reading numbers, the branchy byte-at-a-time code of parsers. */
#include "bench.h"
#include <string.h>

typedef struct { char *data; size_t len, cap; } buffer;

static void put(buffer *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        while (b->len + n > b->cap) b->cap = b->cap ? b->cap * 2 : 4096;
        b->data = realloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void put_str(buffer *b, const char *s) { put(b, s, strlen(s)); }

static void put_uint(buffer *b, uint32_t v)
{
    char tmp[12];
    int i = sizeof tmp;
    do tmp[--i] = (char)('0' + v % 10); while ((v /= 10) != 0);
    put(b, tmp + i, sizeof tmp - (size_t)i);
}

static const char *const words[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
                                    "iota", "kappa", "lambda", "mu", "name", "value", "id", "items"};

static void gen_string(buffer *b, bench_rng *r)
{
    put_str(b, "\"");
    int parts = 1 + bench_next(r) % 4;
    for (int i = 0; i < parts; i++) {
        put_str(b, words[bench_next(r) % 16]);
        switch (bench_next(r) % 8) {
        case 0: put_str(b, "\\n"); break;
        case 1: put_str(b, "\\\""); break;
        case 2: put_str(b, "\\u00e9"); break;
        default: put_str(b, " "); break;
        }
    }
    put_str(b, "\"");
}

static void gen_value(buffer *b, bench_rng *r, int depth)
{
    uint32_t kind = bench_next(r) % (depth < 6 ? 10 : 6);
    switch (kind) {
    case 0: case 1: gen_string(b, r); break;
    case 2:
        if (bench_next(r) & 1) put_str(b, "-");
        put_uint(b, bench_next(r) % 100000);
        break;
    case 3:
        put_uint(b, bench_next(r) % 1000);
        put_str(b, ".");
        put_uint(b, bench_next(r) % 1000);
        if (bench_next(r) % 4 == 0) { put_str(b, "e-"); put_uint(b, bench_next(r) % 20); }
        break;
    case 4: put_str(b, bench_next(r) & 1 ? "true" : "false"); break;
    case 5: put_str(b, "null"); break;
    case 6: case 7: {
        put_str(b, "[");
        int n = (int)(bench_next(r) % 6);
        for (int i = 0; i < n; i++) {
            if (i) put_str(b, ", ");
            gen_value(b, r, depth + 1);
        }
        put_str(b, "]");
        break;
    }
    default: {
        put_str(b, "{\n");
        int n = (int)(bench_next(r) % 6);
        for (int i = 0; i < n; i++) {
            if (i) put_str(b, ",\n");
            gen_string(b, r);
            put_str(b, ": ");
            gen_value(b, r, depth + 1);
        }
        put_str(b, "\n}");
        break;
    }
    }
}

typedef struct {
    uint32_t strings, numbers, literals, punct, max_depth, string_hash, number_sum;
} stats;

static int scan(const char *p, const char *end, stats *st)
{
    uint32_t depth = 0;
    char text[256];
    while (p < end) {
        char c = *p++;
        switch (c) {
        case ' ': case '\n': case '\t': case '\r': break;
        case '{': case '[':
            st->punct++;
            if (++depth > st->max_depth) st->max_depth = depth;
            break;
        case '}': case ']': st->punct++; depth--; break;
        case ',': case ':': st->punct++; break;
        case '"': {
            size_t n = 0;
            for (;;) {
                if (p >= end) return -1;
                char d = *p++;
                if (d == '"') break;
                if (d == '\\') {
                    char e = *p++;
                    if (e == 'n') d = '\n';
                    else if (e == 'u') {
                        uint32_t u = 0;
                        for (int i = 0; i < 4; i++) {
                            char h = *p++;
                            u = u * 16 + (uint32_t)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
                        }
                        d = (char)u;
                    } else d = e;
                }
                if (n < sizeof text) text[n++] = d;
            }
            uint32_t h = BENCH_MIX_INIT;
            for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)text[i]) * 16777619u;
            st->string_hash ^= h;
            st->strings++;
            break;
        }
        case 't': p += 3; st->literals++; break;
        case 'f': p += 4; st->literals++; break;
        case 'n': p += 3; st->literals++; break;
        default: {
            if (c != '-' && (c < '0' || c > '9')) return -1;
            uint32_t negative = c == '-', mantissa = negative ? 0 : (uint32_t)(c - '0'), scale = 0, exp = 0;
            while (p < end && *p >= '0' && *p <= '9') mantissa = mantissa * 10 + (uint32_t)(*p++ - '0');
            if (p < end && *p == '.') {
                p++;
                while (p < end && *p >= '0' && *p <= '9') { mantissa = mantissa * 10 + (uint32_t)(*p++ - '0'); scale++; }
            }
            if (p < end && (*p == 'e' || *p == 'E')) {
                p++;
                if (*p == '-' || *p == '+') p++;
                while (p < end && *p >= '0' && *p <= '9') exp = exp * 10 + (uint32_t)(*p++ - '0');
            }
            st->number_sum += (negative ? 0u - mantissa : mantissa) ^ (scale << 24) ^ (exp << 16);
            st->numbers++;
            break;
        }
        }
    }
    return (int)depth;
}

int main(int argc, char **argv)
{
    long rounds = bench_arg(argc, argv, 60);
    buffer doc = {0};
    bench_rng rng = {0xdecafbad};
    put_str(&doc, "[");
    for (int i = 0; doc.len < (1u << 20); i++) {
        if (i) put_str(&doc, ",\n");
        gen_value(&doc, &rng, 0);
    }
    put_str(&doc, "]");

    stats st = {0};
    for (long r = 0; r < rounds; r++) {
        memset(&st, 0, sizeof st);
        if (scan(doc.data, doc.data + doc.len, &st) != 0) {
            printf("malformed document\n");
            return 1;
        }
    }
    printf("%zu bytes x %ld: %u strings %u numbers %u literals %u punctuation, depth %u, %08x %08x\n",
           doc.len, rounds, st.strings, st.numbers, st.literals, st.punct, st.max_depth, st.string_hash, st.number_sum);
    free(doc.data);
    return 0;
}
