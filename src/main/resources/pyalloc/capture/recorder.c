/*
 * pyalloc record's recorder: a shared library that 'pyalloc record' preloads (LD_PRELOAD) into the Python
 * program. Its constructor runs before the program's main(), finds CPython's allocator API among the symbols
 * the interpreter exports for extension modules, wraps the MEM and OBJ allocators and the arena allocator, and
 * writes every call as a trace event (docs/trace-format.md: format 1, CSV rows, or format 2, binary blocks). It
 * needs no Python headers and no shared libpython: the few structs and signatures it uses are declared below
 * (unchanged from 3.5 to 3.15), and the call sites' frame layouts, which change with every version, are a table
 * of offsets (site_layouts).
 *
 * Environment, set by pyalloc record (a process without PYALLOC_DIR or PYALLOC_PROBE does nothing):
 *   PYALLOC_DIR           pyalloc's working folder: the first Python process to start claims "main" there and
 *                         writes "trace" and "marks/"; every traced process appends its start and end to
 *                         "processes" (lines "PID start main|child VERSION", "PID end ok|incomplete")
 *   PYALLOC_FORMAT        "pyat": write trace format 2, binary blocks (docs/trace-format.md); else CSV rows
 *   PYALLOC_GZIP          "1" (CSV only): pipe the rows through "gzip -1" (a second process, so a second core
 *                         compresses)
 *   PYALLOC_CHILD_PREFIX  with PYALLOC_CHILD_SUFFIX: every other Python process writes PREFIX PID SUFFIX and
 *                         its marks into PREFIX PID ".marks"; without them, only the main process is traced
 *   PYALLOC_SITES         N > 0: write each alloc, calloc and realloc's call site, up to N Python frames
 *                         (CSV: the site column, #frame and #site lines; format 2: site ids, frame and site
 *                         records; docs/trace-format.md "Call sites")
 *   PYALLOC_PROBE         "1": only add the pyalloc module (pyalloc record's probe imports it to see that the
 *                         library loads and finds the API)
 *
 * Why it is built this way (README "pyalloc record"):
 *   - hooks set before main() see the very first allocation (3.7+); PYTHONMALLOC and dev mode would replace
 *     them, so such a process is not traced;
 *   - each wrapper calls the original first and writes its row after, so the arena rows a call causes come
 *     before that call's own row, as a replay consumes them;
 *   - arena calls are written only while a MEM/OBJ call is in progress (depth > 0): from 3.11 the frame data
 *     stack also uses the arena allocator, and those chunks are not pymalloc arenas;
 *   - events are encoded by hand into private buffers and written with write(2): no Python API, no libc
 *     malloc on the hot path, nothing that could re-enter the allocator;
 *   - call sites are read from the interpreter's frames without allocating through MEM or OBJ (the section
 *     "call sites" says how), so a trace with sites verifies as exactly as one without.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- the CPython API, declared here */

/* Include/cpython/pymem.h (pymem.h before 3.8): the same since 3.5. */
typedef struct {
    void *ctx;
    void *(*malloc)(void *ctx, size_t size);
    void *(*calloc)(void *ctx, size_t nelem, size_t elsize);
    void *(*realloc)(void *ctx, void *ptr, size_t new_size);
    void (*free)(void *ctx, void *ptr);
} PyMemAllocatorEx;

enum { PYMEM_DOMAIN_RAW, PYMEM_DOMAIN_MEM, PYMEM_DOMAIN_OBJ };

/* Include/cpython/objimpl.h (objimpl.h before 3.8): the same since 3.4. */
typedef struct {
    void *ctx;
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *ptr, size_t size);
} PyObjectArenaAllocator;

typedef struct _object PyObject;
typedef PyObject *(*PyCFunction)(PyObject *, PyObject *);

/* Include/methodobject.h, Include/moduleobject.h and Include/import.h, as the stable ABI fixes them. The
 * module definition starts with a PyObject head (refcount, type) on every 64-bit GIL build, 3.14's included. */
typedef struct {
    const char *ml_name;
    PyCFunction ml_meth;
    int ml_flags;
    const char *ml_doc;
} PyMethodDef;
#define METH_VARARGS 0x0001
#define METH_NOARGS 0x0004

typedef struct {
    ssize_t ob_refcnt;
    void *ob_type;
    PyObject *(*m_init)(void);
    ssize_t m_index;
    PyObject *m_copy;
} PyModuleDef_Base;

typedef struct {
    PyModuleDef_Base m_base;
    const char *m_name;
    const char *m_doc;
    ssize_t m_size;
    PyMethodDef *m_methods;
    void *m_slots, *m_traverse, *m_clear, *m_free;
} PyModuleDef;
#define PYTHON_API_VERSION 1013 /* unchanged since 3.0 (modsupport.h) */

struct _inittab {
    const char *name;
    PyObject *(*initfunc)(void);
};

/* Resolved with dlsym(RTLD_DEFAULT): from the executable (a static interpreter such as Debian's exports its C
 * API for extension modules) or from the shared libpython it links. A process that has none is not Python. */
static struct {
    void (*PyMem_GetAllocator)(int, PyMemAllocatorEx *);
    void (*PyMem_SetAllocator)(int, PyMemAllocatorEx *);
    void (*PyObject_GetArenaAllocator)(PyObjectArenaAllocator *);
    void (*PyObject_SetArenaAllocator)(PyObjectArenaAllocator *);
    int (*_PyObject_DebugMallocStats)(FILE *); /* exported in every version, declared only internally from 3.11 */
    const char *(*Py_GetVersion)(void);
    int (*PyImport_AppendInittab)(const char *, PyObject *(*)(void));
    struct _inittab **PyImport_Inittab;
    PyObject *(*PyModule_Create2)(PyModuleDef *, int);
    int (*PyArg_ParseTuple)(PyObject *, const char *, ...);
    void (*PyErr_SetString)(PyObject *, const char *);
    PyObject *(*PyErr_Format)(PyObject *, const char *, ...);
    void (*PyErr_Clear)(void);
    PyObject **PyExc_ValueError;
    PyObject **PyExc_OSError;
    PyObject *_Py_NoneStruct;
    void (*Py_IncRef)(PyObject *);
    void (*Py_DecRef)(PyObject *);
    PyObject *(*PyBool_FromLong)(long);
    PyObject *(*PyImport_ImportModule)(const char *);
    PyObject *(*PyCFunction_NewEx)(PyMethodDef *, PyObject *, PyObject *);
    PyObject *(*PyObject_CallMethod)(PyObject *, const char *, const char *, ...);
} py;

static int resolve_api(void) {
#define RESOLVE(name)                                                                                            \
    if (!(*(void **)&py.name = dlsym(RTLD_DEFAULT, #name))) return 0;
    RESOLVE(PyMem_GetAllocator)
    RESOLVE(PyMem_SetAllocator)
    RESOLVE(PyObject_GetArenaAllocator)
    RESOLVE(PyObject_SetArenaAllocator)
    RESOLVE(_PyObject_DebugMallocStats)
    RESOLVE(Py_GetVersion)
    RESOLVE(PyImport_AppendInittab)
    RESOLVE(PyImport_Inittab)
    RESOLVE(PyModule_Create2)
    RESOLVE(PyArg_ParseTuple)
    RESOLVE(PyErr_SetString)
    RESOLVE(PyErr_Format)
    RESOLVE(PyErr_Clear)
    RESOLVE(PyExc_ValueError)
    RESOLVE(PyExc_OSError)
    RESOLVE(_Py_NoneStruct)
    RESOLVE(Py_IncRef)
    RESOLVE(Py_DecRef)
    RESOLVE(PyBool_FromLong)
    RESOLVE(PyImport_ImportModule)
    RESOLVE(PyCFunction_NewEx)
    RESOLVE(PyObject_CallMethod)
#undef RESOLVE
    return 1;
}

/* ---------------------------------------------------------------- the trace */

static PyMemAllocatorEx orig_mem, orig_obj, hook_mem, hook_obj;
static PyObjectArenaAllocator orig_arena, hook_arena;

static int out_fd = -1;
static pid_t gzip_pid = -1;
static pid_t owner_pid;          /* a fork()ed child must not write into its parent's trace */
static int enabled;
static int write_failed;
static char marks_dir[4096];
static int marks_dir_made;
static char registry[4096];      /* PYALLOC_DIR/processes */
static char version[32];         /* 3.12.1 */
/* Initial-exec: this library is loaded at start-up, so its thread-locals sit in the static TLS block and
 * cost one load, not a __tls_get_addr call, on every allocation. */
static __thread int depth __attribute__((tls_model("initial-exec"))); /* > 0 while a MEM/OBJ call of ours runs */
/* 1 while this thread looks up a call site, holding the trace lock: should anything it calls allocate after
 * all, that call's row is written under the lock already held (and without a site), instead of waiting on it. */
static __thread int site_busy __attribute__((tls_model("initial-exec")));
static atomic_flag lock = ATOMIC_FLAG_INIT;
static struct timespec t0;

#define BUF_SIZE (1 << 20)
static char buf[BUF_SIZE];
static size_t buf_len;

static void say(const char *fmt, ...) {
    char line[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0) {
        ssize_t w = write(2, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
        (void)w;
    }
}

static void flush_buf(void) {
    size_t off = 0;
    while (off < buf_len) {
        ssize_t n = write(out_fd, buf + off, buf_len - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (!write_failed) {
                write_failed = 1;
                say("pyalloc record: writing the trace failed: %s\n", strerror(errno));
            }
            break;
        }
        off += (size_t)n;
    }
    buf_len = 0;
}

static inline void lock_acquire(void) {
    while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire)) {
    }
}

static inline void lock_release(void) {
    atomic_flag_clear_explicit(&lock, memory_order_release);
}

static inline void put_str(const char *s, size_t n) {
    memcpy(buf + buf_len, s, n);
    buf_len += n;
}

#define PUT_LIT(s) put_str(s, sizeof(s) - 1)

static inline void put_hex(uintptr_t v) {
    char tmp[16];
    int i = 16;
    static const char digits[] = "0123456789abcdef";
    do {
        tmp[--i] = digits[v & 15];
        v >>= 4;
    } while (v);
    PUT_LIT("0x");
    put_str(tmp + i, (size_t)(16 - i));
}

static inline void put_dec(unsigned long long v) {
    char tmp[20];
    int i = 20;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put_str(tmp + i, (size_t)(20 - i));
}

static inline unsigned long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (unsigned long long)(t.tv_sec - t0.tv_sec) * 1000000000ull + (unsigned long long)t.tv_nsec
           - (unsigned long long)t0.tv_nsec;
}

/* Starts a row; returns 0 when this process must not write (tracing off, or a fork()ed child). */
static inline int row_begin(void) {
    if (!enabled) return 0;
    if (!site_busy) lock_acquire();
    if (buf_len > BUF_SIZE - 512) flush_buf();
    return 1;
}

static inline void row_end(void) {
    if (!site_busy) lock_release();
}

/* ---------------------------------------------------------------- the event writer
 *
 * Everything that goes into the trace goes through emit_header, emit_event, emit_mark and emit_finish; each
 * writes one of two encodings, chosen at start-up by PYALLOC_FORMAT: format 1, CSV rows (csv_*), or format 2,
 * binary blocks (pyat_*; docs/trace-format.md defines the bytes, pyalloc's BinaryTraceReader reads them). */

enum { OP_ALLOC, OP_CALLOC, OP_FREE, OP_REALLOC, OP_ARENA_ALLOC, OP_ARENA_FREE, OP_MARK };
enum { DOM_OBJ, DOM_MEM, DOM_RAW };

static int binary_format; /* PYALLOC_FORMAT=pyat */

/* ---- format 1: CSV, "op,ptr,size,new_ptr,domain,ns,label[,site]" */

static const char *const csv_ops[] = {"alloc", "calloc", "free", "realloc", "arena_alloc", "arena_free", "mark"};
static const char *const csv_domains[] = {"obj", "mem", "raw"};

static void csv_event(int op, int domain, uintptr_t ptr, size_t size, uintptr_t new_ptr, unsigned long long ns,
                      int32_t site) {
    put_str(csv_ops[op], strlen(csv_ops[op]));
    buf[buf_len++] = ',';
    if (ptr) put_hex(ptr);
    buf[buf_len++] = ',';
    if (op != OP_FREE) put_dec(size);
    buf[buf_len++] = ',';
    if (new_ptr) put_hex(new_ptr);
    buf[buf_len++] = ',';
    if (op < OP_ARENA_ALLOC) put_str(csv_domains[domain], 3); /* arena rows: no domain */
    buf[buf_len++] = ',';
    put_dec(ns);
    buf[buf_len++] = ',';
    if (site > 0) { /* the site column, after the empty label */
        buf[buf_len++] = ',';
        put_dec((unsigned long long)site);
    }
    buf[buf_len++] = '\n';
}

static void csv_mark(const char *label, unsigned long long ns) {
    PUT_LIT("mark,,,,,");
    put_dec(ns);
    buf[buf_len++] = ',';
    put_str(label, strlen(label));
    buf[buf_len++] = '\n';
}

/* ---- format 2: binary (.pyat). The events of a block are encoded as they come into one buffer per field
 * (a tag per event; pointer deltas, sizes, new-pointer deltas, time deltas, labels, site ids, line gaps), and a
 * full block is written as one record with writev(2): no compression here (that would need a library; pyalloc
 * record compresses the blocks once the program has run), no malloc, a few shifts an event. */

#define PYAT_BLOCK_EVENTS 65536
#define PYAT_LABEL_BYTES 65536
#define PYAT_TAG_SITE 0x40
#define PYAT_TAG_GAP 0x80
enum { S_PTR, S_SIZE, S_NEW_PTR, S_NS, S_LABEL, S_SITE, S_GAP, STREAMS };

static struct {
    uint8_t tags[PYAT_BLOCK_EVENTS];
    uint8_t ptr[PYAT_BLOCK_EVENTS * 10];
    uint8_t size[PYAT_BLOCK_EVENTS * 10];
    uint8_t new_ptr[PYAT_BLOCK_EVENTS * 10];
    uint8_t ns[PYAT_BLOCK_EVENTS * 10];
    uint8_t label[PYAT_LABEL_BYTES];
    uint8_t site[PYAT_BLOCK_EVENTS * 10];
    uint8_t gap[PYAT_BLOCK_EVENTS * 10];
    uint8_t *end[STREAMS]; /* where each stream's next byte goes */
    unsigned count;
    uint64_t prev_ptr, prev_ns;
    /* The lines the CSV form has before the next event that hold none (the comments and column header, then
     * the #frame and #site lines): that event's line gap, so that events keep the lines they have in CSV. */
    unsigned long long pending_gap;
    /* Frame and site records waiting for the block whose events name them: kind, u32 length, payload. */
    char sites[1 << 16];
    size_t sites_len;
} blk;

static uint8_t *const blk_start[STREAMS] = {blk.ptr, blk.size, blk.new_ptr, blk.ns, blk.label, blk.site, blk.gap};

/* CRC-32C (Castagnoli), as Java's java.util.zip.CRC32C: the SSE4.2 instruction where the CPU has it, else a table
 * eight bytes at a time. */
static uint32_t crc_table[8][256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc_table[0][i] = c;
    }
    for (int t = 1; t < 8; t++)
        for (int i = 0; i < 256; i++) crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
}

static uint32_t crc_soft(uint32_t c, const uint8_t *p, size_t n) {
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= c; /* little-endian machines: the only ones pyalloc record runs on (x86-64, aarch64) */
        c = crc_table[7][w & 0xff] ^ crc_table[6][(w >> 8) & 0xff] ^ crc_table[5][(w >> 16) & 0xff]
            ^ crc_table[4][(w >> 24) & 0xff] ^ crc_table[3][(w >> 32) & 0xff] ^ crc_table[2][(w >> 40) & 0xff]
            ^ crc_table[1][(w >> 48) & 0xff] ^ crc_table[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xff];
    return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_sse42(uint32_t c, const uint8_t *p, size_t n) {
    uint64_t c64 = c;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c64 = __builtin_ia32_crc32di(c64, w);
        p += 8;
        n -= 8;
    }
    c = (uint32_t)c64;
    while (n--) c = __builtin_ia32_crc32qi(c, *p++);
    return c;
}
#endif

static uint32_t (*crc_update)(uint32_t, const uint8_t *, size_t) = crc_soft;

static void crc_choose(void) {
    crc_init();
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse4.2")) crc_update = crc_sse42;
#endif
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v) {
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline uint64_t zigzag(int64_t v) {
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/* A pointer as its delta from the previous one: zigzag(d / 16) * 2 for a multiple of 16, else zigzag(d) * 2 + 1,
 * a number of up to 65 bits, as a varint. */
static inline uint8_t *put_pointer(uint8_t *p, uint64_t ptr, uint64_t prev) {
    int64_t d = (int64_t)(ptr - prev);
    if ((d & 15) == 0) return put_varint(p, zigzag(d >> 4) << 1);
    uint64_t z = zigzag(d);
    *p++ = (uint8_t)(((z & 0x3F) << 1) | 1 | ((z >> 6) ? 0x80 : 0));
    return (z >> 6) ? put_varint(p, z >> 6) : p;
}

static uint8_t *put_string(uint8_t *p, const char *s, size_t n) {
    p = put_varint(p, n);
    memcpy(p, s, n);
    return p + n;
}

static void write_all(const struct iovec *iov, int n) {
    struct iovec v[16];
    memcpy(v, iov, (size_t)n * sizeof *iov);
    struct iovec *at = v;
    while (n > 0 && !write_failed) {
        ssize_t w = writev(out_fd, at, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            write_failed = 1;
            say("pyalloc record: writing the trace failed: %s\n", strerror(errno));
            return;
        }
        while (n > 0 && (size_t)w >= at->iov_len) {
            w -= (ssize_t)at->iov_len;
            at++;
            n--;
        }
        if (n > 0) {
            at->iov_base = (char *)at->iov_base + w;
            at->iov_len -= (size_t)w;
        }
    }
}

/* Writes one record: kind, payload length, the payload's pieces, CRC-32C of all that. */
static void pyat_record(char kind, const struct iovec *pieces, int n) {
    uint8_t head[5];
    uint32_t len = 0;
    for (int i = 0; i < n; i++) len += (uint32_t)pieces[i].iov_len;
    head[0] = (uint8_t)kind;
    memcpy(head + 1, &len, 4); /* little-endian */
    uint32_t c = crc_update(~0u, head, 5);
    for (int i = 0; i < n; i++) c = crc_update(c, pieces[i].iov_base, pieces[i].iov_len);
    c = ~c;
    struct iovec v[16];
    v[0] = (struct iovec){head, 5};
    memcpy(v + 1, pieces, (size_t)n * sizeof *pieces);
    v[n + 1] = (struct iovec){&c, 4};
    write_all(v, n + 2);
}

static void pyat_reset_block(void) {
    memcpy(blk.end, blk_start, sizeof blk.end);
    blk.count = 0;
    blk.prev_ptr = 0;
    blk.prev_ns = (uint64_t)-1; /* "no time yet": the first delta is ns + 1 */
}

/* Writes the block (after the site records its events name) and starts the next. */
static void pyat_flush_block(void) {
    flush_buf(); /* the preamble and header, before the first block */
    if (blk.sites_len) {
        size_t at = 0;
        while (at < blk.sites_len) { /* each waiting record: kind, length, then payload */
            uint32_t n;
            memcpy(&n, blk.sites + at + 1, 4);
            struct iovec one = {blk.sites + at + 5, n};
            pyat_record(blk.sites[at], &one, 1);
            at += 5 + n;
        }
        blk.sites_len = 0;
    }
    if (blk.count == 0) return;
    uint8_t framing[3 * 10 + STREAMS * 10];
    uint8_t lengths[STREAMS * 10];
    uint8_t *q = lengths;
    size_t raw = blk.count;
    for (int s = 0; s < STREAMS; s++) {
        size_t n = (size_t)(blk.end[s] - blk_start[s]);
        q = put_varint(q, n);
        raw += n;
    }
    raw += (size_t)(q - lengths);
    uint8_t *f = put_varint(framing, blk.count);
    f = put_varint(f, 0); /* codec: none */
    f = put_varint(f, raw);
    memcpy(f, lengths, (size_t)(q - lengths));
    f += q - lengths;
    struct iovec v[2 + STREAMS];
    v[0] = (struct iovec){framing, (size_t)(f - framing)};
    v[1] = (struct iovec){blk.tags, blk.count};
    for (int s = 0; s < STREAMS; s++) v[2 + s] = (struct iovec){blk_start[s], (size_t)(blk.end[s] - blk_start[s])};
    pyat_record('B', v, 2 + STREAMS);
    pyat_reset_block();
}

/* One event; site 0 is none; label: a mark's, else NULL. */
static inline void pyat_event(int op, int domain, uintptr_t ptr, size_t size, uintptr_t new_ptr,
                              unsigned long long ns, uint64_t site, const char *label) {
    size_t label_len = label ? strlen(label) : 0;
    if (blk.count == PYAT_BLOCK_EVENTS
        || (label && (size_t)(blk.end[S_LABEL] - blk.label) + label_len + 10 > PYAT_LABEL_BYTES))
        pyat_flush_block();
    if (label) blk.end[S_LABEL] = put_string(blk.end[S_LABEL], label, label_len);
    uint8_t tag = (uint8_t)(op | domain << 3);
    if (op != OP_MARK) {
        blk.end[S_PTR] = put_pointer(blk.end[S_PTR], ptr, blk.prev_ptr);
        blk.prev_ptr = ptr;
    }
    if (op != OP_FREE && op != OP_MARK) blk.end[S_SIZE] = put_varint(blk.end[S_SIZE], size);
    if (op == OP_REALLOC) {
        blk.end[S_NEW_PTR] = put_pointer(blk.end[S_NEW_PTR], new_ptr, ptr);
        blk.prev_ptr = new_ptr;
    }
    blk.end[S_NS] = put_varint(blk.end[S_NS], ns - blk.prev_ns);
    blk.prev_ns = ns;
    if (site) {
        tag |= PYAT_TAG_SITE;
        blk.end[S_SITE] = put_varint(blk.end[S_SITE], site);
    }
    if (blk.pending_gap) {
        tag |= PYAT_TAG_GAP;
        blk.end[S_GAP] = put_varint(blk.end[S_GAP], blk.pending_gap);
        blk.pending_gap = 0;
    }
    blk.tags[blk.count++] = tag;
}

/* Starts a frame ('F') or site ('S') record among those waiting for the next block; returns where its payload
 * goes, or NULL when it cannot be held (a frame's text is at most a few KiB: never). */
static uint8_t *pyat_def_begin(char kind, size_t most) {
    if (blk.sites_len + 5 + most > sizeof blk.sites) pyat_flush_block();
    if (5 + most > sizeof blk.sites) return NULL;
    blk.sites[blk.sites_len] = kind;
    return (uint8_t *)blk.sites + blk.sites_len + 5;
}

static void pyat_def_end(uint8_t *start, uint8_t *end) {
    uint32_t len = (uint32_t)(end - start);
    memcpy(blk.sites + blk.sites_len + 1, &len, 4);
    blk.sites_len += 5 + len;
}

/* Counts the lines a CSV field takes (a quoted line end is a line of its own). */
static unsigned long long csv_lines(const char *s, size_t n) {
    unsigned long long k = 0;
    for (size_t i = 0; i < n; i++) k += s[i] == '\n';
    return k;
}

/* A frame record (id, file, line, function), as CSV's #frame line: held until the next block is written, and
 * counted in the next event's line gap as the line it is in the CSV form. */
static void pyat_frame(int32_t id, const char *file, size_t file_len, int line, const char *func, size_t func_len) {
    uint8_t *start = pyat_def_begin('F', 40 + file_len + func_len);
    if (!start) return;
    uint8_t *p = put_varint(start, (uint64_t)id);
    p = put_string(p, file, file_len);
    p = put_varint(p, line > 0 ? (uint64_t)line : 0);
    p = put_string(p, func, func_len);
    pyat_def_end(start, p);
    blk.pending_gap += 1 + csv_lines(file, file_len) + csv_lines(func, func_len);
}

/* A site record (id, frame, caller or 0), as CSV's #site line. */
static void pyat_site(int32_t id, int32_t frame, int32_t caller) {
    uint8_t *start = pyat_def_begin('S', 30);
    uint8_t *p = put_varint(start, (uint64_t)id);
    p = put_varint(p, (uint64_t)frame);
    p = put_varint(p, (uint64_t)caller);
    pyat_def_end(start, p);
    blk.pending_gap++;
}

/* The preamble and the header record, into the buffer that the first block's write flushes. */
static void pyat_header(const char *const *comments, int ncomments, const char *exe, const char *platform,
                        int sites) {
    static const uint8_t preamble[12] = {0x89, 'p', 'y', 'a', 't', '\r', '\n', 0x1a, 2, 0, 0, 0};
    put_str((const char *)preamble, sizeof preamble);
    uint8_t payload[16384];
    uint8_t *p = put_varint(payload, sites ? 3 : 1); /* columns: time, and site ids when recorded */
    p = put_string(p, version, strlen(version));
    p = put_string(p, exe, strlen(exe));
    p = put_string(p, platform, strlen(platform));
    p = put_varint(p, (uint64_t)ncomments);
    for (int i = 0; i < ncomments; i++) p = put_string(p, comments[i], strlen(comments[i]));
    uint8_t head[5];
    uint32_t len = (uint32_t)(p - payload);
    head[0] = 'H';
    memcpy(head + 1, &len, 4);
    uint32_t c = ~crc_update(crc_update(~0u, head, 5), payload, len);
    put_str((const char *)head, 5);
    put_str((const char *)payload, len);
    put_str((const char *)&c, 4);
    pyat_reset_block();
    blk.pending_gap = (unsigned long long)ncomments + 1; /* and the column header line */
}

static void pyat_finish(void) {
    pyat_flush_block();
    pyat_record('E', NULL, 0);
}

/* ---------------------------------------------------------------- call sites (pyalloc record --sites) */

/*
 * Which Python code made each MEM/OBJ allocation (docs/trace-format.md, "Call sites"), read without allocating
 * through MEM or OBJ: an allocation here would change the very allocator state the trace records, and a trace
 * with sites must verify as exactly as one without. So the frames are read as tracemalloc reads them inside the
 * interpreter (traceback_get_frames: the thread state's innermost frames that are complete), but from outside:
 * with each version's struct offsets (site_layouts, from that version's headers; RecordSitesTest checks every
 * version against known lines), the public functions that do not allocate (PyCode_Addr2Line,
 * PyUnicode_ReadChar), and tables of our own in static memory.
 *
 * Per allocation: the innermost complete frames (up to site_depth) as pairs (code object, instruction), each
 * looked up in a cache. A miss computes the line (PyCode_Addr2Line), reads the file and function names, and
 * finds the location's frame id by its text, so that code objects with the same text share it (an eval() loop
 * makes a new code object each time). A stack is a site: a node (frame, caller site) of the tree of the stacks
 * seen. New frames and sites are written as #frame and #site lines before the row that first names them (in
 * format 2, frame and site records before the block, counted in the event's line gap as those lines).
 *
 * A code object that dies may be followed by another at the same address: an OBJ free of a code object (its
 * type is read before the block goes back) forgets the cached instructions of that object.
 *
 * Everything here runs with the trace lock held (row_begin), so the tables need no lock of their own.
 */

/* How a version's interpreter keeps its frames. */
enum { FRAME_OBJECTS = 1, CFRAME = 2, CURRENT_FRAME = 3 };
/* _PyInterpreterFrame.owner (pycore_frame.h, pycore_interpframe_structs.h): 3 and up (3.12+: the C stack's
 * shim frames; 3.14+: the interpreter's own) run no Python code. */
enum { OWNED_BY_GENERATOR = 1, OWNED_BY_CSTACK = 3 };

struct site_layout {
    int minor;
    int kind;
    int ts_frame;          /* PyThreadState.frame (FRAME_OBJECTS), .cframe (CFRAME), .current_frame */
    int cframe_current;    /* _PyCFrame.current_frame (CFRAME) */
    int f_back;            /* PyFrameObject.f_back, _PyInterpreterFrame.previous */
    int f_code;            /* PyFrameObject.f_code, _PyInterpreterFrame.f_code / f_executable */
    int f_where;           /* PyFrameObject.f_lasti (int), _PyInterpreterFrame.prev_instr / instr_ptr */
    int f_owner;           /* _PyInterpreterFrame.owner (char) */
    uintptr_t code_tag;    /* tag bits of f_executable, a _PyStackRef from 3.14 */
    int lasti_bytes;       /* bytes per f_lasti unit: 1 before 3.10, sizeof(_Py_CODEUNIT) in 3.10 */
    int co_filename, co_name;
    int co_code;           /* PyCodeObject.co_code_adaptive: the first instruction (3.11+) */
    int co_firsttraceable; /* PyCodeObject._co_firsttraceable (int, 3.11+) */
};

/* offsetof() in each version's headers (64-bit, default GIL build, no Py_DEBUG): 3.7.16, 3.8.18, 3.9.18,
 * 3.10.13, 3.11.7, 3.12.1, 3.13.0 (pyenv) and Debian's 3.14.10 and 3.15.2; Debian's 3.11.2 matches 3.11.7. */
static const struct site_layout site_layouts[] = {
    {7, FRAME_OBJECTS, 24, 0, 24, 32, 104, 0, 0, 1, 96, 104, 0, 0},
    {8, FRAME_OBJECTS, 24, 0, 24, 32, 104, 0, 0, 1, 104, 112, 0, 0},
    {9, FRAME_OBJECTS, 24, 0, 24, 32, 104, 0, 0, 1, 104, 112, 0, 0},
    {10, FRAME_OBJECTS, 24, 0, 24, 32, 96, 0, 0, 2, 104, 112, 0, 0},
    {11, CFRAME, 56, 8, 48, 32, 56, 69, 0, 0, 112, 120, 184, 168},
    {12, CFRAME, 56, 0, 8, 0, 56, 70, 0, 0, 112, 120, 192, 176},
    {13, CURRENT_FRAME, 72, 0, 8, 0, 56, 70, 0, 0, 112, 120, 200, 184},
    {14, CURRENT_FRAME, 72, 0, 8, 0, 56, 74, 3, 0, 112, 120, 208, 192},
    {15, CURRENT_FRAME, 72, 0, 8, 0, 56, 74, 3, 0, 112, 120, 208, 192},
};

#define SITE_MAX_DEPTH 16
#define SITE_FILE_MAX 2000 /* bytes of a file name kept; longer ones end in "..." */
#define SITE_FUNC_MAX 500
#define CODE_SLOTS (1 << 16)  /* live code objects seen: address -> serial */
#define LOC_SLOTS (1 << 18)   /* (serial, instruction) -> frame id */
#define FRAME_SLOTS (1 << 17) /* a location's text -> frame id */
#define NODE_SLOTS (1 << 18)  /* (frame id, caller site id) -> site id */
#define TEXT_BYTES (16 << 20)

static int site_depth; /* frames per site; 0: no sites */
static const struct site_layout *site_layout;
static void *(*site_tstate)(void);
static int (*site_addr2line)(void *, int);
static ssize_t (*site_str_length)(void *);
static uint32_t (*site_str_char)(void *, ssize_t);
static void *site_code_type, *site_str_type;

static struct { uintptr_t code; uint32_t serial; } site_codes[CODE_SLOTS];
static struct { uintptr_t where; uint32_t serial; int32_t frame; int32_t leaf; } site_locs[LOC_SLOTS];
static struct { uint64_t hash; uint32_t text, length; int32_t id; } site_frames[FRAME_SLOTS];
static struct { uint64_t key; int32_t id; } site_nodes[NODE_SLOTS];
static char site_text[TEXT_BYTES];
static uint32_t site_text_used, site_ncodes, site_nlocs, site_nframes, site_nnodes, site_next_serial;
static int32_t site_next_frame, site_next_site;
/* The last stack and its site: a loop allocates at the same place many times over. */
static int site_memo_n;
static uintptr_t site_memo_code[SITE_MAX_DEPTH], site_memo_where[SITE_MAX_DEPTH];
static int32_t site_memo_site;

static inline uint64_t site_mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

/* Empties every table (when one fills up): ids go on from where they were, so the locations seen again are
 * defined again under new ids, and the trace stays right. */
static void site_reset(void) {
    memset(site_codes, 0, sizeof site_codes);
    memset(site_locs, 0, sizeof site_locs);
    memset(site_frames, 0, sizeof site_frames);
    memset(site_nodes, 0, sizeof site_nodes);
    site_ncodes = site_nlocs = site_nframes = site_nnodes = site_text_used = 0;
    site_memo_n = 0;
}

/* The trace's definition lines; the caller holds the trace lock. */
static void site_room(size_t n) {
    if (buf_len > BUF_SIZE - n) flush_buf();
}

/* Appends a CSV field, quoted when it holds a comma, a quote or a line end (RFC 4180). */
static void site_put_field(const char *s, size_t n) {
    int quote = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') quote = 1;
    }
    if (!quote) {
        put_str(s, n);
        return;
    }
    buf[buf_len++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') buf[buf_len++] = '"';
        buf[buf_len++] = s[i];
    }
    buf[buf_len++] = '"';
}

static void site_write_frame(int32_t id, const char *file, size_t file_len, int line, const char *func,
                             size_t func_len) {
    if (binary_format) {
        pyat_frame(id, file, file_len, line, func, func_len);
        return;
    }
    site_room(2 * (file_len + func_len) + 64);
    PUT_LIT("#frame,");
    put_dec((unsigned long long)id);
    buf[buf_len++] = ',';
    site_put_field(file, file_len);
    buf[buf_len++] = ',';
    put_dec(line > 0 ? (unsigned long long)line : 0);
    buf[buf_len++] = ',';
    site_put_field(func, func_len);
    buf[buf_len++] = '\n';
}

static void site_write_site(int32_t id, int32_t frame, int32_t caller) {
    if (binary_format) {
        pyat_site(id, frame, caller);
        return;
    }
    site_room(64);
    PUT_LIT("#site,");
    put_dec((unsigned long long)id);
    buf[buf_len++] = ',';
    put_dec((unsigned long long)frame);
    buf[buf_len++] = ',';
    if (caller) put_dec((unsigned long long)caller);
    buf[buf_len++] = '\n';
}

/* Appends a str object's text as UTF-8 (PyUnicode_ReadChar neither allocates nor fails in range), at most max
 * bytes; lone surrogates (undecodable file name bytes) become '?'. */
static size_t site_utf8(void *str, char *out, size_t max) {
    if (!str || *(void **)((char *)str + 8) != site_str_type) {
        out[0] = '?';
        return 1;
    }
    ssize_t n = site_str_length(str);
    size_t k = 0;
    for (ssize_t i = 0; i < n; i++) {
        uint32_t c = site_str_char(str, i);
        if (k + 4 + 3 > max) {
            memcpy(out + k, "...", 3);
            k += 3;
            break;
        }
        if (c < 0x80) {
            out[k++] = (char)c;
        } else if (c < 0x800) {
            out[k++] = (char)(0xC0 | c >> 6);
            out[k++] = (char)(0x80 | (c & 0x3F));
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            out[k++] = '?';
        } else if (c < 0x10000) {
            out[k++] = (char)(0xE0 | c >> 12);
            out[k++] = (char)(0x80 | (c >> 6 & 0x3F));
            out[k++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[k++] = (char)(0xF0 | c >> 18);
            out[k++] = (char)(0x80 | (c >> 12 & 0x3F));
            out[k++] = (char)(0x80 | (c >> 6 & 0x3F));
            out[k++] = (char)(0x80 | (c & 0x3F));
        }
    }
    return k;
}

/* Returns the serial of a live code object, giving it the next one when it is new. */
static uint32_t site_code_serial(uintptr_t code) {
    for (uint32_t i = (uint32_t)site_mix(code) & (CODE_SLOTS - 1);; i = (i + 1) & (CODE_SLOTS - 1)) {
        if (site_codes[i].code == code) return site_codes[i].serial;
        if (site_codes[i].code == 0) {
            site_codes[i].code = code;
            site_codes[i].serial = ++site_next_serial;
            site_ncodes++;
            return site_codes[i].serial;
        }
    }
}

/* A code object is going back to the allocator: its address may come back as another code object. */
static void site_forget_code(uintptr_t code) {
    uint32_t mask = CODE_SLOTS - 1;
    uint32_t i = (uint32_t)site_mix(code) & mask;
    for (;; i = (i + 1) & mask) {
        if (site_codes[i].code == 0) return;
        if (site_codes[i].code == code) break;
    }
    site_ncodes--;
    site_memo_n = 0;
    /* Linear probing's deletion: move later entries of the run back into the hole. */
    for (uint32_t j = (i + 1) & mask;; j = (j + 1) & mask) {
        if (site_codes[j].code == 0) break;
        uint32_t home = (uint32_t)site_mix(site_codes[j].code) & mask;
        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
            site_codes[i] = site_codes[j];
            i = j;
        }
    }
    site_codes[i].code = 0;
    site_codes[i].serial = 0;
}

/* Returns the frame id of a location's text (file NUL function NUL line), writing #frame when it is new. */
static int32_t site_frame_of_text(const char *key, size_t key_len, const char *file, size_t file_len, int line,
                                  const char *func, size_t func_len) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < key_len; i++) h = (h ^ (unsigned char)key[i]) * 0x100000001b3ull;
    h |= 1; /* 0 marks an empty slot */
    uint32_t i = (uint32_t)site_mix(h) & (FRAME_SLOTS - 1);
    for (;; i = (i + 1) & (FRAME_SLOTS - 1)) {
        if (site_frames[i].hash == 0) break;
        if (site_frames[i].hash == h && site_frames[i].length == key_len
            && memcmp(site_text + site_frames[i].text, key, key_len) == 0)
            return site_frames[i].id;
    }
    int32_t id = ++site_next_frame;
    site_write_frame(id, file, file_len, line, func, func_len);
    if (site_text_used + key_len <= TEXT_BYTES) {
        memcpy(site_text + site_text_used, key, key_len);
        site_frames[i].hash = h;
        site_frames[i].text = site_text_used;
        site_frames[i].length = (uint32_t)key_len;
        site_frames[i].id = id;
        site_text_used += (uint32_t)key_len;
        site_nframes++;
    }
    return id;
}

/* Returns the site (frame, called from caller), writing #site when it is new. */
static int32_t site_node(int32_t frame, int32_t caller) {
    uint64_t key = (uint64_t)(uint32_t)frame << 32 | (uint32_t)caller;
    for (uint32_t i = (uint32_t)site_mix(key) & (NODE_SLOTS - 1);; i = (i + 1) & (NODE_SLOTS - 1)) {
        if (site_nodes[i].id == 0) {
            int32_t id = ++site_next_site;
            site_nodes[i].key = key;
            site_nodes[i].id = id;
            site_nnodes++;
            site_write_site(id, frame, caller);
            return id;
        }
        if (site_nodes[i].key == key) return site_nodes[i].id;
    }
}

/* Returns the location's slot in site_locs, resolving it on a miss; -1 when the frame holds no code object. */
static int32_t site_loc(uintptr_t code, uintptr_t where) {
    uint32_t serial = site_code_serial(code);
    uint32_t i = (uint32_t)site_mix(where ^ (uint64_t)serial << 48) & (LOC_SLOTS - 1);
    for (;; i = (i + 1) & (LOC_SLOTS - 1)) {
        if (site_locs[i].serial == serial && site_locs[i].where == where) return (int32_t)i;
        if (site_locs[i].serial == 0) break;
    }
    char *co = (char *)code;
    if (*(void **)(co + 8) != site_code_type) return -1;
    const struct site_layout *l = site_layout;
    int lasti = l->kind == FRAME_OBJECTS ? (int)(intptr_t)where * l->lasti_bytes
                                         : (int)((char *)where - (co + l->co_code));
    int line = site_addr2line(co, lasti < 0 ? -1 : lasti);
    static char key[SITE_FILE_MAX + SITE_FUNC_MAX + 32];
    size_t file_len = site_utf8(*(void **)(co + l->co_filename), key, SITE_FILE_MAX);
    key[file_len] = '\0';
    size_t func_len = site_utf8(*(void **)(co + l->co_name), key + file_len + 1, SITE_FUNC_MAX);
    size_t n = file_len + 1 + func_len;
    key[n++] = '\0';
    n += (size_t)snprintf(key + n, 16, "%d", line);
    site_locs[i].serial = serial;
    site_locs[i].where = where;
    site_locs[i].frame = site_frame_of_text(key, n, key, file_len, line, key + file_len + 1, func_len);
    site_locs[i].leaf = 0;
    site_nlocs++;
    return (int32_t)i;
}

/* Reads the current thread's innermost complete frames, innermost first; returns how many. */
static int site_walk(uintptr_t *codes, uintptr_t *wheres) {
    char *ts = site_tstate();
    if (!ts) return 0;
    const struct site_layout *l = site_layout;
    int n = 0;
    if (l->kind == FRAME_OBJECTS) {
        for (char *f = *(char **)(ts + l->ts_frame); f && n < site_depth; f = *(char **)(f + l->f_back)) {
            codes[n] = *(uintptr_t *)(f + l->f_code);
            wheres[n] = (uintptr_t)(intptr_t) * (int *)(f + l->f_where);
            n++;
        }
        return n;
    }
    char *f = *(char **)(ts + l->ts_frame);
    if (l->kind == CFRAME && f) f = *(char **)(f + l->cframe_current);
    for (; f && n < site_depth; f = *(char **)(f + l->f_back)) {
        unsigned char owner = *(unsigned char *)(f + l->f_owner);
        if (owner >= OWNED_BY_CSTACK) continue;
        char *code = (char *)(*(uintptr_t *)(f + l->f_code) & ~l->code_tag);
        char *where = *(char **)(f + l->f_where);
        if (!code) continue;
        /* _PyFrame_IsIncomplete: a frame before its first traceable instruction is still being set up. */
        if (owner != OWNED_BY_GENERATOR && where < code + l->co_code + 2 * *(int *)(code + l->co_firsttraceable))
            continue;
        codes[n] = (uintptr_t)code;
        wheres[n] = (uintptr_t)where;
        n++;
    }
    return n;
}

/* Returns the site of the running Python code, 0 when none runs; called with the trace lock held, before the
 * row's first byte (it may write #frame and #site lines). */
static int32_t site_id_for_current_frame(void) {
    uintptr_t codes[SITE_MAX_DEPTH], wheres[SITE_MAX_DEPTH];
    int n = site_walk(codes, wheres);
    if (n == 0) return 0;
    if (n == site_memo_n) {
        int same = 1;
        for (int k = 0; k < n && same; k++) same = codes[k] == site_memo_code[k] && wheres[k] == site_memo_where[k];
        if (same) return site_memo_site;
    }
    if (site_ncodes > CODE_SLOTS / 4 * 3 || site_nlocs > LOC_SLOTS / 4 * 3 || site_nframes > FRAME_SLOTS / 4 * 3
        || site_nnodes > NODE_SLOTS / 4 * 3 || site_text_used > TEXT_BYTES / 4 * 3)
        site_reset();
    int32_t site = 0;
    for (int k = n - 1; k >= 0; k--) { /* from the outermost frame recorded inwards */
        int32_t i = site_loc(codes[k], wheres[k]);
        if (i < 0) continue;
        if (site == 0) {
            if (site_locs[i].leaf == 0) site_locs[i].leaf = site_node(site_locs[i].frame, 0);
            site = site_locs[i].leaf;
        } else {
            site = site_node(site_locs[i].frame, site);
        }
    }
    site_memo_n = n;
    memcpy(site_memo_code, codes, n * sizeof codes[0]);
    memcpy(site_memo_where, wheres, n * sizeof wheres[0]);
    site_memo_site = site;
    return site;
}

/* An OBJ block is about to be freed: if it is a code object, forget its instructions. */
static inline void site_block_freed(void *p) {
    if (*(void **)((char *)p + 8) != site_code_type || site_busy) return;
    lock_acquire();
    site_forget_code((uintptr_t)p);
    lock_release();
}

/* Reads PYALLOC_SITES (frames per site, 0 or unset: none) and finds what reading frames needs in this version;
 * when it cannot, says why and records without sites. */
static void site_setup(void) {
    const char *v = getenv("PYALLOC_SITES");
    int want = v ? atoi(v) : 0;
    if (want <= 0) return;
    if (want > SITE_MAX_DEPTH) want = SITE_MAX_DEPTH;
    int major = 0, minor = 0;
    sscanf(version, "%d.%d", &major, &minor);
    for (size_t i = 0; i < sizeof site_layouts / sizeof site_layouts[0]; i++) {
        if (major == 3 && site_layouts[i].minor == minor) site_layout = &site_layouts[i];
    }
    if (!site_layout) {
        say("pyalloc record: Python %s: call sites are not supported for this version (pyalloc knows the frame"
            " layouts of 3.7 to 3.15); recording without them\n", version);
        return;
    }
    *(void **)&site_tstate = dlsym(RTLD_DEFAULT, "PyThreadState_GetUnchecked"); /* 3.13+ */
    if (!site_tstate) *(void **)&site_tstate = dlsym(RTLD_DEFAULT, "_PyThreadState_UncheckedGet");
    *(void **)&site_addr2line = dlsym(RTLD_DEFAULT, "PyCode_Addr2Line");
    *(void **)&site_str_length = dlsym(RTLD_DEFAULT, "PyUnicode_GetLength");
    *(void **)&site_str_char = dlsym(RTLD_DEFAULT, "PyUnicode_ReadChar");
    site_code_type = dlsym(RTLD_DEFAULT, "PyCode_Type");
    site_str_type = dlsym(RTLD_DEFAULT, "PyUnicode_Type");
    if (!site_tstate || !site_addr2line || !site_str_length || !site_str_char || !site_code_type || !site_str_type) {
        say("pyalloc record: Python %s: the interpreter does not export what reading call sites needs;"
            " recording without them\n", version);
        return;
    }
    site_depth = want;
}

/* ---- the calls the rest of the recorder makes */

static void executable(const char *argv0, char *out, size_t size);

/* An event; alloc, calloc and realloc carry their call site (with sites recorded, and Python code running). */
static void emit_event(int op, int domain, uintptr_t ptr, size_t size, uintptr_t new_ptr) {
    if (!row_begin()) return;
    int32_t site = 0;
    if (site_depth && !site_busy && (op == OP_ALLOC || op == OP_CALLOC || op == OP_REALLOC)) {
        site_busy = 1;
        site = site_id_for_current_frame(); /* may write #frame and #site lines, or frame and site records */
        site_busy = 0;
        if (buf_len > BUF_SIZE - 512) flush_buf(); /* after the #frame and #site lines it wrote */
    }
    unsigned long long ns = now_ns();
    if (binary_format) pyat_event(op, domain, ptr, size, new_ptr, ns, (uint64_t)(site > 0 ? site : 0), NULL);
    else csv_event(op, domain, ptr, size, new_ptr, ns, site);
    row_end();
}

static void emit_mark(const char *label) {
    if (!row_begin()) return;
    unsigned long long ns = now_ns();
    if (binary_format) pyat_event(OP_MARK, DOM_OBJ, 0, 0, 0, ns, 0, label);
    else csv_mark(label, ns);
    row_end();
}

/* The comment lines both formats start with, the CSV column header, and format 2's header record. */
static void emit_header(int argc, char **argv) {
    struct utsname u;
    uname(&u);
    char exe[4096];
    executable(argc > 0 ? argv[0] : "python3", exe, sizeof exe);
    static char lines[5][8192];
    snprintf(lines[0], sizeof lines[0], "# python %s", version);
    snprintf(lines[1], sizeof lines[1], "# executable %.4000s", exe);
    snprintf(lines[2], sizeof lines[2], "# platform %s %s", u.sysname, u.machine);
    size_t n = (size_t)snprintf(lines[3], sizeof lines[3], "# recorded by pyalloc record:");
    for (int i = 1; i < argc && n < 8192 - 520; i++) {
        size_t len = strlen(argv[i]);
        if (len > 512) len = 512;
        lines[3][n++] = ' ';
        for (size_t j = 0; j < len; j++) lines[3][n++] = argv[i][j] == '\n' ? ' ' : argv[i][j];
        lines[3][n] = '\0';
    }
    int nlines = 4;
    if (site_depth) snprintf(lines[nlines++], sizeof lines[0], "# sites %d", site_depth);
    if (binary_format) {
        const char *comments[5] = {lines[0], lines[1], lines[2], lines[3], lines[4]};
        char platform[160];
        snprintf(platform, sizeof platform, "%.70s %.70s", u.sysname, u.machine);
        pyat_header(comments, nlines, exe, platform, site_depth > 0);
        return;
    }
    for (int i = 0; i < nlines; i++) {
        put_str(lines[i], strlen(lines[i]));
        buf[buf_len++] = '\n';
    }
    if (site_depth) PUT_LIT("op,ptr,size,new_ptr,domain,ns,label,site\n");
    else PUT_LIT("op,ptr,size,new_ptr,domain,ns,label\n");
}

/* Ends the trace: the last rows, and format 2's end record. Under the lock. */
static void emit_finish(void) {
    if (binary_format) pyat_finish();
    else flush_buf();
}

/* Forgets what a fork()ed child inherited of the trace's buffers. */
static void emit_forget(void) {
    buf_len = 0;
    pyat_reset_block();
    blk.sites_len = 0;
    blk.pending_gap = 0;
}

/* ---------------------------------------------------------------- the hooks */

#define DOMAIN(ctx) (((const char *)(ctx))[0] == 'm' ? DOM_MEM : DOM_OBJ)

static void *hook_malloc(void *ctx, size_t size) {
    PyMemAllocatorEx *o = DOMAIN(ctx) == DOM_MEM ? &orig_mem : &orig_obj;
    depth++;
    void *p = o->malloc(o->ctx, size);
    depth--;
    if (p) emit_event(OP_ALLOC, DOMAIN(ctx), (uintptr_t)p, size, 0);
    return p;
}

static void *hook_calloc(void *ctx, size_t nelem, size_t elsize) {
    PyMemAllocatorEx *o = DOMAIN(ctx) == DOM_MEM ? &orig_mem : &orig_obj;
    depth++;
    void *p = o->calloc(o->ctx, nelem, elsize);
    depth--;
    if (p) emit_event(OP_CALLOC, DOMAIN(ctx), (uintptr_t)p, nelem * elsize, 0);
    return p;
}

static void *hook_realloc(void *ctx, void *ptr, size_t size) {
    PyMemAllocatorEx *o = DOMAIN(ctx) == DOM_MEM ? &orig_mem : &orig_obj;
    depth++;
    void *q = o->realloc(o->ctx, ptr, size);
    depth--;
    if (q) {
        if (ptr == NULL) emit_event(OP_ALLOC, DOMAIN(ctx), (uintptr_t)q, size, 0);
        else emit_event(OP_REALLOC, DOMAIN(ctx), (uintptr_t)ptr, size, (uintptr_t)q);
    }
    return q;
}

static void hook_free(void *ctx, void *ptr) {
    PyMemAllocatorEx *o = DOMAIN(ctx) == DOM_MEM ? &orig_mem : &orig_obj;
    if (site_depth && ptr && enabled && o == &orig_obj) site_block_freed(ptr); /* code objects are OBJ blocks */
    depth++;
    o->free(o->ctx, ptr);
    depth--;
    if (ptr) emit_event(OP_FREE, DOMAIN(ctx), (uintptr_t)ptr, 0, 0);
}

static void *hook_arena_alloc(void *ctx, size_t size) {
    (void)ctx;
    void *p = orig_arena.alloc(orig_arena.ctx, size);
    if (p && depth > 0) emit_event(OP_ARENA_ALLOC, DOM_OBJ, (uintptr_t)p, size, 0);
    return p;
}

static void hook_arena_free(void *ctx, void *ptr, size_t size) {
    (void)ctx;
    orig_arena.free(orig_arena.ctx, ptr, size);
    if (depth > 0) emit_event(OP_ARENA_FREE, DOM_OBJ, (uintptr_t)ptr, size, 0);
}

/* ---------------------------------------------------------------- marks and the pyalloc module */

static int valid_label(const char *s) {
    if (!*s || strlen(s) > 200 || s[0] == '.') return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
              || c == '-'))
            return 0;
    }
    return 1;
}

static PyObject *none(void) {
    py.Py_IncRef(py._Py_NoneStruct);
    return py._Py_NoneStruct;
}

/* Writes a mark row and, at that same instant, CPython's statistics into MARKS_DIR/LABEL.txt. */
static PyObject *write_mark(const char *label) {
    if (!enabled) return none();
    char path[sizeof marks_dir + 256];
    if (!marks_dir_made) {
        if (mkdir(marks_dir, 0777) != 0 && errno != EEXIST) {
            return py.PyErr_Format(*py.PyExc_OSError, "pyalloc.mark: cannot create %s: %s", marks_dir,
                                   strerror(errno));
        }
        marks_dir_made = 1;
    }
    snprintf(path, sizeof path, "%s/%s.txt", marks_dir, label);
    /* Nothing below allocates through MEM/OBJ: the row and the statistics describe the same instant. */
    FILE *f = fopen(path, "w");
    if (!f) {
        return py.PyErr_Format(*py.PyExc_OSError, "pyalloc.mark: cannot write %s: %s", path, strerror(errno));
    }
    emit_mark(label);
    /* _PyObject_DebugMallocStats prints only while pymalloc itself is the OBJ allocator (obmalloc.c,
     * _PyMem_PymallocEnabled); whatever is installed now (our hook, or tracemalloc's over it) goes back after. */
    PyMemAllocatorEx current;
    py.PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &current);
    py.PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &orig_obj);
    py._PyObject_DebugMallocStats(f);
    py.PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &current);
    fclose(f);
    return none();
}

static PyObject *pyalloc_mark(PyObject *self, PyObject *args) {
    const char *label;
    (void)self;
    if (!py.PyArg_ParseTuple(args, "s:mark", &label)) return NULL;
    if (!valid_label(label)) {
        py.PyErr_SetString(*py.PyExc_ValueError, "pyalloc.mark: the label must be 1 to 200 letters, digits, '.',"
                                                 " '_' or '-' (it names a file)");
        return NULL;
    }
    if (strcmp(label, "exit") == 0) {
        py.PyErr_SetString(*py.PyExc_ValueError, "pyalloc.mark: the label 'exit' is pyalloc's own mark, written"
                                                 " when the program's code has finished");
        return NULL;
    }
    return write_mark(label);
}

static PyObject *pyalloc_recording(PyObject *self, PyObject *args) {
    (void)self;
    (void)args;
    return py.PyBool_FromLong(enabled);
}

static PyObject *pyalloc_exit_mark(PyObject *self, PyObject *args) {
    (void)self;
    (void)args;
    return write_mark("exit");
}

static PyMethodDef pyalloc_methods[] = {
    {"mark", pyalloc_mark, METH_VARARGS,
     "mark(label): write a 'mark' row and CPython's own allocator statistics (<label>.txt) at this point."},
    {"recording", pyalloc_recording, METH_NOARGS, "recording(): True while this process writes the trace."},
    {NULL, NULL, 0, NULL}};

static PyModuleDef pyalloc_module = {{1, NULL, NULL, 0, NULL}, "pyalloc",
                                     "Marks for pyalloc record (built in while pyalloc records the process).", -1,
                                     pyalloc_methods, NULL, NULL, NULL, NULL};

static PyMethodDef exit_mark_def = {"pyalloc_exit_mark", pyalloc_exit_mark, METH_NOARGS,
                                    "Writes pyalloc's 'exit' mark."};
static int exit_mark_registered;

/*
 * Registers the 'exit' mark with the atexit module. Its callbacks run first thing in Py_FinalizeEx, after
 * the main code and the threads have finished and while every object still lives; registered before site and
 * the program, ours runs last of them (last in, first out). Py_AtExit would be too late: its callbacks run at
 * the end of finalization, when the objects are gone (3.11.7: 40 KB of a program's 9.9 MB still allocated
 * there), and from 3.12 it cannot even be called before start-up (it takes a lock start-up creates).
 */
static void register_exit_mark(void) {
    if (exit_mark_registered || !enabled) return;
    exit_mark_registered = 1;
    PyObject *atexit_module = py.PyImport_ImportModule("atexit");
    PyObject *fn = atexit_module ? py.PyCFunction_NewEx(&exit_mark_def, NULL, NULL) : NULL;
    PyObject *r = fn ? py.PyObject_CallMethod(atexit_module, "register", "O", fn) : NULL;
    if (!r) {
        py.PyErr_Clear();
        say("pyalloc record: cannot register the exit mark with atexit\n");
    }
    if (r) py.Py_DecRef(r);
    if (fn) py.Py_DecRef(fn);
    if (atexit_module) py.Py_DecRef(atexit_module);
}

static PyObject *PyInit_pyalloc(void) {
    PyObject *m = py.PyModule_Create2(&pyalloc_module, PYTHON_API_VERSION);
    if (m) register_exit_mark(); /* when start-up imported no _signal (an embedding program) */
    return m;
}

/*
 * Start-up imports the built-in _signal module in every version from 3.7 to 3.15 (to install the SIGINT
 * handler), after the import system is complete and before site and the program: the place to register the
 * exit mark. Its init function is wrapped in the table of built-in modules before the interpreter copies it.
 */
static PyObject *(*orig_signal_init)(void);

static PyObject *signal_init_then_register(void) {
    PyObject *m = orig_signal_init();
    if (m) register_exit_mark();
    return m;
}

static void wrap_signal_init(void) {
    for (struct _inittab *p = *py.PyImport_Inittab; p->name; p++) {
        if (strcmp(p->name, "_signal") == 0 && p->initfunc) {
            orig_signal_init = p->initfunc;
            p->initfunc = signal_init_then_register;
            return;
        }
    }
}

/* ---------------------------------------------------------------- set-up */

static void log_process(const char *what) {
    if (!registry[0]) return;
    int fd = open(registry, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return; /* pyalloc record has finished; the trace stands on its own */
    char line[128];
    int n = snprintf(line, sizeof line, "%ld %s\n", (long)getpid(), what);
    ssize_t w = write(fd, line, (size_t)n); /* O_APPEND: one write, one whole line */
    (void)w;
    close(fd);
}

static void in_child(void) {
    enabled = 0; /* the child's allocations are not the traced process's */
    emit_forget();
    atomic_flag_clear(&lock);
    /* Nor is its copy of the pipe to gzip: a child that outlives the program would keep gzip, and with it the
     * program's exit, waiting for the end of the trace. */
    close(out_fd);
    out_fd = -1;
}

static void finish(void) {
    if (!enabled || getpid() != owner_pid) return;
    lock_acquire();
    enabled = 0;
    emit_finish();
    lock_release();
    close(out_fd);
    if (gzip_pid > 0) {
        int status;
        while (waitpid(gzip_pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            say("pyalloc record: gzip failed while compressing the trace\n");
            write_failed = 1;
        }
    }
    log_process(write_failed ? "end incomplete" : "end ok");
}

static int open_output(const char *path, int gzip) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        say("pyalloc record: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!gzip) return fd;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        say("pyalloc record: pipe: %s\n", strerror(errno));
        close(fd);
        return -1;
    }
    gzip_pid = fork();
    if (gzip_pid < 0) {
        say("pyalloc record: fork: %s\n", strerror(errno));
        close(fd);
        return -1;
    }
    if (gzip_pid == 0) {
        dup2(p[0], 0);
        dup2(fd, 1);
        unsetenv("LD_PRELOAD"); /* gzip is no Python */
        execlp("gzip", "gzip", "-1", "-c", (char *)NULL);
        say("pyalloc record: cannot run gzip: %s\n", strerror(errno));
        _exit(127);
    }
    close(p[0]);
    close(fd);
    return p[1];
}

/* Returns argv[0] made absolute the way CPython finds sys.executable: as given when it has a slash, else the
 * first match on PATH. */
static void executable(const char *argv0, char *out, size_t size) {
    snprintf(out, size, "%s", argv0);
    if (strchr(argv0, '/')) {
        char cwd[2048];
        if (argv0[0] != '/' && getcwd(cwd, sizeof cwd)) snprintf(out, size, "%s/%.2000s", cwd, argv0);
        return;
    }
    const char *path = getenv("PATH");
    while (path && *path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        char candidate[4096];
        snprintf(candidate, sizeof candidate, "%.*s/%s", (int)len, path, argv0);
        if (len > 0 && access(candidate, X_OK) == 0) {
            snprintf(out, size, "%s", candidate);
            return;
        }
        path = end ? end + 1 : NULL;
    }
}

/* Returns why this process cannot be traced, or NULL: settings that make start-up replace the hooks, and
 * versions whose allocators this recorder cannot serve. */
static const char *cannot_trace(int argc, char **argv) {
    int major = 0, minor = 0;
    if (sscanf(version, "%d.%d", &major, &minor) != 2 || major != 3 || minor < 7) {
        return "before 3.7, start-up resets allocator hooks installed before it";
    }
    if (strstr(py.Py_GetVersion(), "free-threading")) return "a free-threaded build allocates with mimalloc";
    const char *v = getenv("PYTHONMALLOC");
    if (v && *v) return "PYTHONMALLOC is set (start-up would replace the hooks)";
    v = getenv("PYTHONDEVMODE");
    if (v && *v) return "PYTHONDEVMODE is set (start-up would replace the hooks)";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-Xdev") == 0 || (strcmp(argv[i], "-X") == 0 && i + 1 < argc
                                               && strcmp(argv[i + 1], "dev") == 0)) {
            return "-X dev (start-up would replace the hooks)";
        }
    }
    return NULL;
}

/* Takes this library out of LD_PRELOAD and pyalloc's variables out of the environment, so that the program's
 * own subprocesses run untraced (pyalloc record --no-children). */
static void leave_environment(void) {
    Dl_info self;
    const char *preload = getenv("LD_PRELOAD");
    if (preload && dladdr((void *)&leave_environment, &self) && self.dli_fname) {
        char rest[8192];
        size_t n = 0;
        const char *p = preload;
        while (*p) {
            size_t len = strcspn(p, ": ");
            if (len > 0 && !(len == strlen(self.dli_fname) && strncmp(p, self.dli_fname, len) == 0)
                && n + len + 2 < sizeof rest) {
                if (n) rest[n++] = ':';
                memcpy(rest + n, p, len);
                n += len;
            }
            p += len;
            if (*p) p++;
        }
        rest[n] = '\0';
        if (n) setenv("LD_PRELOAD", rest, 1);
        else unsetenv("LD_PRELOAD");
    }
    unsetenv("PYALLOC_DIR");
    unsetenv("PYALLOC_GZIP");
    unsetenv("PYALLOC_FORMAT");
    unsetenv("PYALLOC_CHILD_PREFIX");
    unsetenv("PYALLOC_CHILD_SUFFIX");
    unsetenv("PYALLOC_SITES");
}

/* Runs before main() in every process started with this library preloaded; does nothing in one that is not a
 * CPython interpreter, or that pyalloc record did not ask to trace. */
__attribute__((constructor)) static void start(int argc, char **argv, char **envp) {
    (void)envp;
    const char *dir = getenv("PYALLOC_DIR");
    const char *probe = getenv("PYALLOC_PROBE");
    if ((!dir || !*dir) && !(probe && *probe)) return;
    if (!resolve_api()) return;
    const char *v = py.Py_GetVersion();
    size_t vlen = strcspn(v, " ");
    snprintf(version, sizeof version, "%.*s", (int)(vlen < sizeof version ? vlen : sizeof version - 1), v);
    if (!dir || !*dir) {
        py.PyImport_AppendInittab("pyalloc", PyInit_pyalloc); /* the probe: recording() is False */
        return;
    }
    const char *why = cannot_trace(argc, argv);
    if (why) {
        say("pyalloc record: not tracing process %ld (Python %s): %s\n", (long)getpid(), version, why);
        return;
    }

    char path[4096];
    snprintf(registry, sizeof registry, "%s/processes", dir);
    snprintf(path, sizeof path, "%s/main", dir);
    int claim = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    const char *role = "main";
    const char *prefix = getenv("PYALLOC_CHILD_PREFIX");
    const char *suffix = getenv("PYALLOC_CHILD_SUFFIX");
    int children = prefix && *prefix && suffix;
    if (claim >= 0) {
        close(claim);
        snprintf(path, sizeof path, "%s/trace", dir);
        snprintf(marks_dir, sizeof marks_dir, "%s/marks", dir);
    } else if (children) {
        role = "child";
        snprintf(path, sizeof path, "%s%ld%s", prefix, (long)getpid(), suffix);
        snprintf(marks_dir, sizeof marks_dir, "%s%ld.marks", prefix, (long)getpid());
    } else {
        return; /* another Python process is the traced one */
    }
    const char *gz = getenv("PYALLOC_GZIP");
    const char *format = getenv("PYALLOC_FORMAT");
    binary_format = format && strcmp(format, "pyat") == 0;
    if (binary_format) crc_choose();
    out_fd = open_output(path, !binary_format && gz && gz[0] == '1');
    if (out_fd < 0) return;
    site_setup(); /* before leave_environment takes PYALLOC_SITES away */
    if (!children) leave_environment();
    owner_pid = getpid();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    emit_header(argc, argv);
    pthread_atfork(NULL, NULL, in_child);

    py.PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &orig_mem);
    py.PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &orig_obj);
    hook_mem = (PyMemAllocatorEx){(void *)"mem", hook_malloc, hook_calloc, hook_realloc, hook_free};
    hook_obj = (PyMemAllocatorEx){(void *)"obj", hook_malloc, hook_calloc, hook_realloc, hook_free};
    py.PyObject_GetArenaAllocator(&orig_arena);
    hook_arena = (PyObjectArenaAllocator){NULL, hook_arena_alloc, hook_arena_free};
    py.PyObject_SetArenaAllocator(&hook_arena);
    py.PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &hook_mem);
    py.PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &hook_obj);
    if (py.PyImport_AppendInittab("pyalloc", PyInit_pyalloc) != 0) {
        say("pyalloc record: cannot add the pyalloc module\n");
    }
    wrap_signal_init(); /* after AppendInittab, which replaces the table by a copy */
    enabled = 1;
    char what[64];
    snprintf(what, sizeof what, "start %s %s", role, version);
    log_process(what);
    atexit(finish); /* also covers exit() from C code; os._exit(), exec and fatal signals cut the trace short */
}
