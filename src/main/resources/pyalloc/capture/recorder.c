/*
 * pyalloc record's recorder: a shared library that 'pyalloc record' preloads (LD_PRELOAD) into the Python
 * program. Its constructor runs before the program's main(), finds CPython's allocator API among the symbols
 * the interpreter exports for extension modules, wraps the MEM and OBJ allocators and the arena allocator, and
 * writes every call as a trace row (format 1, README "Trace format"). It needs no Python headers and no
 * shared libpython: the few structs and signatures it uses are declared below (unchanged from 3.5 to 3.15),
 * and the call sites' frame layouts, which change with every version, are a table of offsets (site_layouts).
 *
 * Environment, set by pyalloc record (a process without PYALLOC_DIR or PYALLOC_PROBE does nothing):
 *   PYALLOC_DIR           pyalloc's working folder: the first Python process to start claims "main" there and
 *                         writes "trace" and "marks/"; every traced process appends its start and end to
 *                         "processes" (lines "PID start main|child VERSION", "PID end ok|incomplete")
 *   PYALLOC_GZIP          "1": pipe the rows through "gzip -1" (a second process, so a second core compresses)
 *   PYALLOC_CHILD_PREFIX  with PYALLOC_CHILD_SUFFIX: every other Python process writes PREFIX PID SUFFIX and
 *                         its marks into PREFIX PID ".marks"; without them, only the main process is traced
 *   PYALLOC_SITES         N > 0: write each alloc, calloc and realloc's call site, up to N Python frames
 *                         (the site column, #frame and #site lines: docs/trace-format.md "Call sites")
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
 *   - rows are formatted by hand into a private buffer and written with write(2): no Python API, no libc
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
 * seen. New frames and sites are written as #frame and #site lines before the row that first names them.
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
/* Per frame id since the last reset (id - site_first_frame), its text's offset in site_text + 1; 0: not kept. */
static uint32_t site_frame_text_at[FRAME_SLOTS];
static int32_t site_first_frame = 1;
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
    memset(site_frame_text_at, 0, sizeof site_frame_text_at);
    site_first_frame = site_next_frame + 1;
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
        if ((uint32_t)(id - site_first_frame) < FRAME_SLOTS) site_frame_text_at[id - site_first_frame] = site_text_used + 1;
        site_text_used += (uint32_t)key_len;
        site_nframes++;
    }
    return id;
}

/*
 * Finds the text of a frame defined since the last reset (every frame a new site can name): for a writer
 * whose site records carry their frame's file, line and function (format 2's site record). Returns 0 when
 * the frame's text was not kept.
 */
static __attribute__((unused)) int site_frame_text(int32_t frame, const char **file, size_t *file_len, int *line,
                                                   const char **func, size_t *func_len) {
    uint32_t k = (uint32_t)(frame - site_first_frame);
    if (k >= FRAME_SLOTS || site_frame_text_at[k] == 0) return 0;
    const char *t = site_text + site_frame_text_at[k] - 1; /* file NUL function NUL line */
    *file = t;
    *file_len = strlen(t);
    *func = t + *file_len + 1;
    *func_len = strlen(*func);
    *line = atoi(*func + *func_len + 1);
    return 1;
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

/* op,ptr,size,new_ptr,domain,ns,label[,site]: with_site for the calls that make a block (alloc, calloc, realloc). */
static void emit(const char *op, size_t oplen, uintptr_t ptr, int has_size, size_t size, uintptr_t new_ptr,
                 const char *domain, int with_site) {
    if (!row_begin()) return;
    int32_t site = 0;
    if (with_site && site_depth && !site_busy) {
        site_busy = 1;
        site = site_id_for_current_frame();
        site_busy = 0;
        if (buf_len > BUF_SIZE - 512) flush_buf(); /* after the #frame and #site lines it wrote */
    }
    put_str(op, oplen);
    buf[buf_len++] = ',';
    if (ptr) put_hex(ptr);
    buf[buf_len++] = ',';
    if (has_size) put_dec(size);
    buf[buf_len++] = ',';
    if (new_ptr) put_hex(new_ptr);
    buf[buf_len++] = ',';
    if (domain) put_str(domain, 3);
    buf[buf_len++] = ',';
    put_dec(now_ns());
    buf[buf_len++] = ',';
    if (site > 0) {
        buf[buf_len++] = ',';
        put_dec((unsigned long long)site);
    }
    buf[buf_len++] = '\n';
    row_end();
}

#define DOMAIN(ctx) ((const char *)(ctx))

static void *hook_malloc(void *ctx, size_t size) {
    PyMemAllocatorEx *o = DOMAIN(ctx)[0] == 'm' ? &orig_mem : &orig_obj;
    depth++;
    void *p = o->malloc(o->ctx, size);
    depth--;
    if (p) emit("alloc", 5, (uintptr_t)p, 1, size, 0, DOMAIN(ctx), 1);
    return p;
}

static void *hook_calloc(void *ctx, size_t nelem, size_t elsize) {
    PyMemAllocatorEx *o = DOMAIN(ctx)[0] == 'm' ? &orig_mem : &orig_obj;
    depth++;
    void *p = o->calloc(o->ctx, nelem, elsize);
    depth--;
    if (p) emit("calloc", 6, (uintptr_t)p, 1, nelem * elsize, 0, DOMAIN(ctx), 1);
    return p;
}

static void *hook_realloc(void *ctx, void *ptr, size_t size) {
    PyMemAllocatorEx *o = DOMAIN(ctx)[0] == 'm' ? &orig_mem : &orig_obj;
    depth++;
    void *q = o->realloc(o->ctx, ptr, size);
    depth--;
    if (q) {
        if (ptr == NULL) emit("alloc", 5, (uintptr_t)q, 1, size, 0, DOMAIN(ctx), 1);
        else emit("realloc", 7, (uintptr_t)ptr, 1, size, (uintptr_t)q, DOMAIN(ctx), 1);
    }
    return q;
}

static void hook_free(void *ctx, void *ptr) {
    PyMemAllocatorEx *o = DOMAIN(ctx)[0] == 'm' ? &orig_mem : &orig_obj;
    if (site_depth && ptr && enabled && o == &orig_obj) site_block_freed(ptr); /* code objects are OBJ blocks */
    depth++;
    o->free(o->ctx, ptr);
    depth--;
    if (ptr) emit("free", 4, (uintptr_t)ptr, 0, 0, 0, DOMAIN(ctx), 0);
}

static void *hook_arena_alloc(void *ctx, size_t size) {
    (void)ctx;
    void *p = orig_arena.alloc(orig_arena.ctx, size);
    if (p && depth > 0) emit("arena_alloc", 11, (uintptr_t)p, 1, size, 0, NULL, 0);
    return p;
}

static void hook_arena_free(void *ctx, void *ptr, size_t size) {
    (void)ctx;
    orig_arena.free(orig_arena.ctx, ptr, size);
    if (depth > 0) emit("arena_free", 10, (uintptr_t)ptr, 1, size, 0, NULL, 0);
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
    if (row_begin()) {
        PUT_LIT("mark,,,,,");
        put_dec(now_ns());
        buf[buf_len++] = ',';
        put_str(label, strlen(label));
        buf[buf_len++] = '\n';
        row_end();
    }
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
    buf_len = 0;
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
    flush_buf();
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

static void write_header(int argc, char **argv) {
    struct utsname u;
    uname(&u);
    char exe[4096];
    executable(argc > 0 ? argv[0] : "python3", exe, sizeof exe);
    char line[8192];
    int n = snprintf(line, sizeof line, "# python %s\n# executable %.4000s\n# platform %s %s\n"
                                        "# recorded by pyalloc record:", version, exe, u.sysname, u.machine);
    put_str(line, (size_t)n);
    for (int i = 1; i < argc && buf_len < 8192; i++) {
        size_t len = strlen(argv[i]);
        if (len > 512) len = 512;
        buf[buf_len++] = ' ';
        for (size_t j = 0; j < len; j++) buf[buf_len++] = argv[i][j] == '\n' ? ' ' : argv[i][j];
    }
    if (site_depth) {
        n = snprintf(line, sizeof line, "\n# sites %d", site_depth);
        put_str(line, (size_t)n);
    }
    if (site_depth) PUT_LIT("\nop,ptr,size,new_ptr,domain,ns,label,site\n");
    else PUT_LIT("\nop,ptr,size,new_ptr,domain,ns,label\n");
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
    out_fd = open_output(path, gz && gz[0] == '1');
    if (out_fd < 0) return;
    site_setup(); /* before leave_environment takes PYALLOC_SITES away */
    if (!children) leave_environment();
    owner_pid = getpid();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    write_header(argc, argv);
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
