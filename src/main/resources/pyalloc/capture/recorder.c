/*
 * pyalloc record's recorder: a shared library that 'pyalloc record' preloads (LD_PRELOAD) into the Python
 * program. Its constructor runs before the program's main(), finds CPython's allocator API among the symbols
 * the interpreter exports for extension modules, wraps the MEM and OBJ allocators and the arena allocator, and
 * writes every call as a trace row (format 1, README "Trace format"). It needs no Python headers and no
 * shared libpython: the few structs and signatures it uses are declared below (unchanged from 3.5 to 3.15).
 *
 * Environment, set by pyalloc record (a process without PYALLOC_DIR or PYALLOC_PROBE does nothing):
 *   PYALLOC_DIR           pyalloc's working folder: the first Python process to start claims "main" there and
 *                         writes "trace" and "marks/"; every traced process appends its start and end to
 *                         "processes" (lines "PID start main|child VERSION", "PID end ok|incomplete")
 *   PYALLOC_GZIP          "1": pipe the rows through "gzip -1" (a second process, so a second core compresses)
 *   PYALLOC_CHILD_PREFIX  with PYALLOC_CHILD_SUFFIX: every other Python process writes PREFIX PID SUFFIX and
 *                         its marks into PREFIX PID ".marks"; without them, only the main process is traced
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
 *     malloc on the hot path, nothing that could re-enter the allocator.
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
    lock_acquire();
    if (buf_len > BUF_SIZE - 512) flush_buf();
    return 1;
}

static inline void row_end(void) {
    lock_release();
}

/* op,ptr,size,new_ptr,domain,ns,label */
static void emit(const char *op, size_t oplen, uintptr_t ptr, int has_size, size_t size, uintptr_t new_ptr,
                 const char *domain) {
    if (!row_begin()) return;
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
    PUT_LIT(",\n");
    row_end();
}

#define DOMAIN(ctx) ((const char *)(ctx))

static void *hook_malloc(void *ctx, size_t size) {
    PyMemAllocatorEx *o = DOMAIN(ctx)[0] == 'm' ? &orig_mem : &orig_obj;
    depth++;
    void *p = o->malloc(o->ctx, size);
    depth--;
    if (p) emit("alloc", 5, (uintptr_t)p, 1, size, 0, DOMAIN(ctx));
    return p;
}

static void *hook_calloc(void *ctx, size_t nelem, size_t elsize) {
    PyMemAllocatorEx *o = DOMAIN(ctx)[0] == 'm' ? &orig_mem : &orig_obj;
    depth++;
    void *p = o->calloc(o->ctx, nelem, elsize);
    depth--;
    if (p) emit("calloc", 6, (uintptr_t)p, 1, nelem * elsize, 0, DOMAIN(ctx));
    return p;
}

static void *hook_realloc(void *ctx, void *ptr, size_t size) {
    PyMemAllocatorEx *o = DOMAIN(ctx)[0] == 'm' ? &orig_mem : &orig_obj;
    depth++;
    void *q = o->realloc(o->ctx, ptr, size);
    depth--;
    if (q) {
        if (ptr == NULL) emit("alloc", 5, (uintptr_t)q, 1, size, 0, DOMAIN(ctx));
        else emit("realloc", 7, (uintptr_t)ptr, 1, size, (uintptr_t)q, DOMAIN(ctx));
    }
    return q;
}

static void hook_free(void *ctx, void *ptr) {
    PyMemAllocatorEx *o = DOMAIN(ctx)[0] == 'm' ? &orig_mem : &orig_obj;
    depth++;
    o->free(o->ctx, ptr);
    depth--;
    if (ptr) emit("free", 4, (uintptr_t)ptr, 0, 0, 0, DOMAIN(ctx));
}

static void *hook_arena_alloc(void *ctx, size_t size) {
    (void)ctx;
    void *p = orig_arena.alloc(orig_arena.ctx, size);
    if (p && depth > 0) emit("arena_alloc", 11, (uintptr_t)p, 1, size, 0, NULL);
    return p;
}

static void hook_arena_free(void *ctx, void *ptr, size_t size) {
    (void)ctx;
    orig_arena.free(orig_arena.ctx, ptr, size);
    if (depth > 0) emit("arena_free", 10, (uintptr_t)ptr, 1, size, 0, NULL);
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
    PUT_LIT("\nop,ptr,size,new_ptr,domain,ns,label\n");
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
