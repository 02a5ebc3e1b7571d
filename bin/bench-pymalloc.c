/*
 * The real allocator on the same events: reads a binary trace (format 2, stored blocks: 'pyalloc convert
 * --no-compress'), turns its pointers into slot numbers while reading, then replays every MEM and OBJ event
 * through the interpreter's own PyObject_Malloc/Calloc/Realloc/Free (PyMem_* for the mem domain) and times that
 * loop alone. bin/bench builds it against the libpython of the trace's interpreter and prints its events/s next
 * to pyalloc's. Counted as pyalloc counts them: every event, arena rows, marks and raw-domain events included
 * (those cost the real allocator nothing here: it does its own arenas).
 *
 *   cc -O2 bench-pymalloc.c $(python3.12-config --includes) $(python3.12-config --ldflags --embed) -o bench-pymalloc
 *   bench-pymalloc TRACE.pyat [RUNS]
 *
 * The pre-parse resolves what pyalloc's replay treats as anomalies the way pyalloc does: a free of a pointer
 * that is not live is skipped, a realloc of one is a malloc, an alloc of a live pointer frees it first.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OP_ALLOC, OP_CALLOC, OP_FREE, OP_REALLOC, OP_ARENA_ALLOC, OP_ARENA_FREE, OP_MARK };
enum { DOM_OBJ, DOM_MEM, DOM_RAW };
/* The pre-parsed program: what the timed loop does. */
enum { DO_NOTHING, DO_MALLOC, DO_CALLOC, DO_FREE, DO_REALLOC };

static uint8_t *todo, *mem_domain;
static uint32_t *slot, *slot2, *sizes;
static size_t events, steps, cap;

/* pointer -> slot, open addressing; key 0 marks an empty cell (a pointer of 0 never comes from a malloc) */
static uint64_t *keys;
static uint32_t *vals;
static size_t mask, used;
static uint32_t *free_slots;
static size_t nfree, nslots;

static void die(const char *what) {
    fprintf(stderr, "bench-pymalloc: %s\n", what);
    exit(2);
}

static size_t hash(uint64_t k) {
    return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

static void grow_map(void);

static uint32_t *map_find(uint64_t k, int insert) {
    size_t i = hash(k);
    while (keys[i] && keys[i] != k) i = (i + 1) & mask;
    if (!keys[i]) {
        if (!insert) return NULL;
        keys[i] = k;
        if (++used * 2 > mask) {
            grow_map();
            return map_find(k, 0);
        }
    }
    return &vals[i];
}

static void map_remove(uint64_t k) {
    size_t i = hash(k);
    while (keys[i] && keys[i] != k) i = (i + 1) & mask;
    if (!keys[i]) return;
    keys[i] = 0;
    used--;
    for (size_t j = (i + 1) & mask; keys[j]; j = (j + 1) & mask) { /* re-insert the rest of the run */
        uint64_t kk = keys[j];
        uint32_t vv = vals[j];
        keys[j] = 0;
        size_t h = hash(kk);
        while (keys[h]) h = (h + 1) & mask;
        keys[h] = kk;
        vals[h] = vv;
    }
}

static void grow_map(void) {
    uint64_t *ok = keys;
    uint32_t *ov = vals;
    size_t on = mask + 1;
    mask = on * 2 - 1;
    keys = calloc(mask + 1, sizeof *keys);
    vals = calloc(mask + 1, sizeof *vals);
    if (!keys || !vals) die("out of memory");
    for (size_t i = 0; i < on; i++) {
        if (ok[i]) {
            size_t h = hash(ok[i]);
            while (keys[h]) h = (h + 1) & mask;
            keys[h] = ok[i];
            vals[h] = ov[i];
        }
    }
    free(ok);
    free(ov);
}

static uint32_t new_slot(void) {
    return nfree ? free_slots[--nfree] : (uint32_t)nslots++;
}

static void push(int what, int mem, uint32_t a, uint32_t b, uint64_t size) {
    if (steps == cap) {
        cap = cap ? cap * 2 : 1 << 20;
        todo = realloc(todo, cap);
        mem_domain = realloc(mem_domain, cap);
        slot = realloc(slot, cap * 4);
        slot2 = realloc(slot2, cap * 4);
        sizes = realloc(sizes, cap * 4);
        if (!todo || !mem_domain || !slot || !slot2 || !sizes) die("out of memory");
    }
    todo[steps] = (uint8_t)what;
    mem_domain[steps] = (uint8_t)mem;
    slot[steps] = a;
    slot2[steps] = b;
    sizes[steps] = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    steps++;
}

static void release(uint32_t s) {
    free_slots = realloc(free_slots, (nfree + 1) * sizeof *free_slots);
    free_slots[nfree++] = s;
}

/* One event, in pyalloc's terms (ReplaySession), as steps of the timed loop. */
static void event(int op, int dom, uint64_t ptr, uint64_t size, uint64_t new_ptr) {
    events++;
    if (dom == DOM_RAW || op >= OP_ARENA_ALLOC) return;
    int mem = dom == DOM_MEM;
    uint32_t *s;
    switch (op) {
    case OP_ALLOC:
    case OP_CALLOC:
        if ((s = map_find(ptr, 0))) { /* alloc of a live pointer: its free was missed */
            push(DO_FREE, mem, *s, 0, 0);
            release(*s);
            map_remove(ptr);
        }
        {
            uint32_t n = new_slot();
            *map_find(ptr, 1) = n;
            push(op == OP_ALLOC ? DO_MALLOC : DO_CALLOC, mem, n, 0, size);
        }
        break;
    case OP_FREE:
        if ((s = map_find(ptr, 0))) {
            push(DO_FREE, mem, *s, 0, 0);
            release(*s);
            map_remove(ptr);
        }
        break;
    case OP_REALLOC:
        if ((s = map_find(ptr, 0))) {
            uint32_t from = *s;
            map_remove(ptr);
            if ((s = map_find(new_ptr, 0))) { /* the new pointer was live: its free was missed */
                push(DO_FREE, mem, *s, 0, 0);
                release(*s);
                map_remove(new_ptr);
            }
            uint32_t to = new_slot();
            *map_find(new_ptr, 1) = to;
            push(DO_REALLOC, mem, from, to, size);
            release(from);
        } else {
            event(OP_ALLOC, dom, new_ptr, size, 0);
            events--;
        }
        break;
    }
}

/* ---- reading format 2's stored blocks (docs/trace-format.md) */

static const uint8_t *p, *end;

static uint64_t varint(const uint8_t **q) {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        uint8_t b = *(*q)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    die("a varint longer than 10 bytes");
    return 0;
}

static uint64_t pointer_delta(const uint8_t **q) {
    const uint8_t *s = *q;
    uint64_t v = 0, top = 0;
    for (int shift = 0;; shift += 7) {
        uint8_t b = *s++;
        if (shift == 63) top = (b >> 1) & 1;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
    }
    *q = s;
    uint64_t z = v >> 1 | top << 63;
    int64_t d = (int64_t)((z >> 1) ^ -(z & 1));
    return (v & 1) ? (uint64_t)d : (uint64_t)d << 4;
}

static void block(const uint8_t *b, size_t n) {
    const uint8_t *q = b;
    uint64_t count = varint(&q);
    if (varint(&q) != 0) die("a compressed block: convert the trace with pyalloc convert --no-compress first");
    varint(&q); /* raw length */
    uint64_t len[7];
    for (int k = 0; k < 7; k++) len[k] = varint(&q);
    const uint8_t *tags = q;
    const uint8_t *st[7];
    const uint8_t *at = tags + count;
    for (int k = 0; k < 7; k++) {
        st[k] = at;
        at += len[k];
    }
    if (at != b + n) die("a block whose streams do not fill it");
    uint64_t ptr = 0;
    for (uint64_t i = 0; i < count; i++) {
        int tag = tags[i];
        int op = tag & 7, dom = (tag >> 3) & 3;
        uint64_t pt = 0, size = 0, np = 0;
        if (op != OP_MARK) {
            ptr += pointer_delta(&st[0]);
            pt = ptr;
        }
        if (op != OP_FREE && op != OP_MARK) size = varint(&st[1]);
        if (op == OP_REALLOC) {
            np = pt + pointer_delta(&st[2]);
            ptr = np;
        }
        varint(&st[3]); /* time */
        if (op == OP_MARK) {
            uint64_t l = varint(&st[4]);
            st[4] += l;
        }
        if (tag & 0x40) varint(&st[5]);
        if (tag & 0x80) varint(&st[6]);
        event(op, dom, pt, size, np);
    }
}

static void read_trace(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open the trace");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *all = malloc((size_t)n + 16);
    if (!all || fread(all, 1, (size_t)n, f) != (size_t)n) die("cannot read the trace");
    fclose(f);
    if (n < 12 || memcmp(all, "\x89pyat\r\n\x1a", 8) != 0) die("not a .pyat trace");
    p = all + 12;
    end = all + n;
    while (p + 9 <= end) {
        uint8_t kind = p[0];
        uint32_t len;
        memcpy(&len, p + 1, 4);
        if (p + 9 + len > end) die("a record cut short");
        if (kind == 'B') block(p + 5, len);
        p += 9 + len;
    }
    free(all);
}

static double clock_of(clockid_t which) {
    struct timespec t;
    clock_gettime(which, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 2) die("usage: bench-pymalloc TRACE.pyat [RUNS]");
    int runs = argc > 2 ? atoi(argv[2]) : 1;
    mask = (1 << 16) - 1;
    keys = calloc(mask + 1, sizeof *keys);
    vals = calloc(mask + 1, sizeof *vals);
    read_trace(argv[1]);
    void **blocks = calloc(nslots + 1, sizeof *blocks);
    Py_Initialize();
    for (int r = 0; r < runs; r++) {
        double t0 = clock_of(CLOCK_MONOTONIC), c0 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
        for (size_t i = 0; i < steps; i++) {
            uint32_t s = slot[i];
            switch (todo[i]) {
            case DO_MALLOC:
                blocks[s] = mem_domain[i] ? PyMem_Malloc(sizes[i]) : PyObject_Malloc(sizes[i]);
                break;
            case DO_CALLOC:
                blocks[s] = mem_domain[i] ? PyMem_Calloc(1, sizes[i]) : PyObject_Calloc(1, sizes[i]);
                break;
            case DO_FREE:
                if (mem_domain[i]) PyMem_Free(blocks[s]);
                else PyObject_Free(blocks[s]);
                break;
            case DO_REALLOC:
                blocks[slot2[i]] = mem_domain[i] ? PyMem_Realloc(blocks[s], sizes[i])
                                                 : PyObject_Realloc(blocks[s], sizes[i]);
                break;
            }
        }
        double t = clock_of(CLOCK_MONOTONIC) - t0, c = clock_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
        printf("native pymalloc %.*s: %zu events in %.3f s, CPU %.3f s, %.0f events/s\n",
               (int)strcspn(Py_GetVersion(), " "), Py_GetVersion(), events, t, c, events / t);
        fflush(stdout);
        if (r + 1 < runs) {
            /* free the blocks live at the end, so that the next run starts from an empty heap */
            char *live = calloc(nslots + 1, 1);
            for (size_t i = 0; i < steps; i++) {
                if (todo[i] == DO_MALLOC || todo[i] == DO_CALLOC) live[slot[i]] = 1;
                else if (todo[i] == DO_FREE) live[slot[i]] = 0;
                else if (todo[i] == DO_REALLOC) {
                    live[slot[i]] = 0;
                    live[slot2[i]] = 1;
                }
            }
            for (size_t k = 0; k < nslots; k++) {
                if (live[k]) PyMem_Free(blocks[k]);
            }
            free(live);
        }
    }
    return 0;
}
