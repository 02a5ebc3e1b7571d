/*
 * pyalloc record's launcher: embeds CPython, wraps its MEM and OBJ allocators and its arena allocator
 * before the interpreter starts, and writes every call as a trace row (format 1, shared/docs/trace-format.md).
 *
 * Compiled on demand by pyalloc against the interpreter it records, and cached. Environment:
 *   PYALLOC_TRACE       output path (required)
 *   PYALLOC_GZIP        "1": pipe the rows through "gzip -1" (a second process, so a second core compresses)
 *   PYALLOC_MARKS_DIR   where pyalloc.mark(label) writes CPython's statistics as <label>.txt
 *   PYALLOC_EXECUTABLE  the interpreter's path, used as argv[0] so that sys.executable and sys.prefix are right
 *
 * Why it is built this way (shared/docs/obmalloc.md section 8, shared/traces/README.md):
 *   - hooks set before Py_BytesMain / Py_Main see the very first allocation (3.7+); PYTHONMALLOC and dev mode
 *     would replace them, so pyalloc refuses those;
 *   - each wrapper calls the original first and writes its row after, so the arena rows a call causes come
 *     before that call's own row, as a replay consumes them;
 *   - arena calls are written only while a MEM/OBJ call is in progress (depth > 0): from 3.11 the frame data
 *     stack also uses the arena allocator, and those chunks are not pymalloc arenas;
 *   - rows are formatted by hand into a private buffer and written with write(2): no Python API, no libc
 *     malloc on the hot path, nothing that could re-enter the allocator.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Exported by libpython in every version; declared only in internal headers from 3.11 on. */
extern int _PyObject_DebugMallocStats(FILE *out);

static PyMemAllocatorEx orig_mem, orig_obj, hook_mem, hook_obj;
static PyObjectArenaAllocator orig_arena, hook_arena;

static int out_fd = -1;
static pid_t gzip_pid = -1;
static pid_t owner_pid;          /* a fork()ed child must not write into its parent's trace */
static int enabled;
static int write_failed;
static const char *marks_dir;
static int marks_dir_made;
static _Thread_local int depth;  /* > 0 while a MEM/OBJ call of ours is in progress */
static atomic_flag lock = ATOMIC_FLAG_INIT;
static struct timespec t0;

#define BUF_SIZE (1 << 20)
static char buf[BUF_SIZE];
static size_t buf_len;

static void flush_buf(void) {
    size_t off = 0;
    while (off < buf_len) {
        ssize_t n = write(out_fd, buf + off, buf_len - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (!write_failed) {
                write_failed = 1;
                fprintf(stderr, "pyalloc record: writing the trace failed: %s\n", strerror(errno));
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

/* ---------------------------------------------------------------- the pyalloc module */

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

static PyObject *pyalloc_mark(PyObject *self, PyObject *args) {
    const char *label;
    (void)self;
    if (!PyArg_ParseTuple(args, "s:mark", &label)) return NULL;
    if (!valid_label(label)) {
        PyErr_SetString(PyExc_ValueError,
                        "pyalloc.mark: the label must be 1 to 200 letters, digits, '.', '_' or '-' (it names a file)");
        return NULL;
    }
    if (!enabled) Py_RETURN_NONE;
    char path[4096];
    if (!marks_dir_made) {
        if (mkdir(marks_dir, 0777) != 0 && errno != EEXIST) {
            PyErr_Format(PyExc_OSError, "pyalloc.mark: cannot create %s: %s", marks_dir, strerror(errno));
            return NULL;
        }
        marks_dir_made = 1;
    }
    snprintf(path, sizeof path, "%s/%s.txt", marks_dir, label);
    /* Nothing below allocates through MEM/OBJ: the row and the statistics describe the same instant. */
    FILE *f = fopen(path, "w");
    if (!f) {
        PyErr_Format(PyExc_OSError, "pyalloc.mark: cannot write %s: %s", path, strerror(errno));
        return NULL;
    }
    if (row_begin()) {
        PUT_LIT("mark,,,,,");
        put_dec(now_ns());
        buf[buf_len++] = ',';
        put_str(label, strlen(label));
        buf[buf_len++] = '\n';
        row_end();
    }
    /* _PyObject_DebugMallocStats prints only while pymalloc itself is the OBJ allocator (obmalloc.md 8.3). */
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &orig_obj);
    _PyObject_DebugMallocStats(f);
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &hook_obj);
    fclose(f);
    Py_RETURN_NONE;
}

static PyObject *pyalloc_recording(PyObject *self, PyObject *args) {
    (void)self;
    (void)args;
    return PyBool_FromLong(enabled);
}

static PyMethodDef pyalloc_methods[] = {
    {"mark", pyalloc_mark, METH_VARARGS,
     "mark(label): write a 'mark' row and CPython's own allocator statistics (<label>.txt) at this point."},
    {"recording", pyalloc_recording, METH_NOARGS, "recording(): True while this process writes the trace."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef pyalloc_module = {PyModuleDef_HEAD_INIT, "pyalloc",
                                            "Marks for pyalloc record (built into the recording launcher).", -1,
                                            pyalloc_methods, NULL, NULL, NULL, NULL};

static PyObject *PyInit_pyalloc(void) {
    return PyModule_Create(&pyalloc_module);
}

/* ---------------------------------------------------------------- set-up */

static void in_child(void) {
    enabled = 0;  /* the child's allocations are not the traced process's */
    buf_len = 0;
    atomic_flag_clear(&lock);
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
            fprintf(stderr, "pyalloc record: gzip failed while compressing the trace\n");
            write_failed = 1;
        }
    }
}

static int open_output(const char *path, int gzip) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        fprintf(stderr, "pyalloc record: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!gzip) return fd;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        perror("pyalloc record: pipe");
        return -1;
    }
    gzip_pid = fork();
    if (gzip_pid < 0) {
        perror("pyalloc record: fork");
        return -1;
    }
    if (gzip_pid == 0) {
        dup2(p[0], 0);
        dup2(fd, 1);
        execlp("gzip", "gzip", "-1", "-c", (char *)NULL);
        fprintf(stderr, "pyalloc record: cannot run gzip: %s\n", strerror(errno));
        _exit(127);
    }
    close(p[0]);
    close(fd);
    return p[1];
}

static void write_header(int argc, char **argv) {
    struct utsname u;
    uname(&u);
    char line[8192];
    int n = snprintf(line, sizeof line, "# python %s\n# executable %s\n# platform %s %s\n# recorded by pyalloc record:",
                     PY_VERSION, argv[0], u.sysname, u.machine);
    put_str(line, (size_t)n);
    for (int i = 1; i < argc && buf_len < 4096; i++) {
        size_t len = strlen(argv[i]);
        if (len > 512) len = 512;
        buf[buf_len++] = ' ';
        for (size_t j = 0; j < len; j++) buf[buf_len++] = argv[i][j] == '\n' ? ' ' : argv[i][j];
    }
    PUT_LIT("\nop,ptr,size,new_ptr,domain,ns,label\n");
}

int main(int argc, char **argv) {
    const char *trace = getenv("PYALLOC_TRACE");
    const char *exe = getenv("PYALLOC_EXECUTABLE");
    marks_dir = getenv("PYALLOC_MARKS_DIR");
    if (!trace || !marks_dir) {
        fprintf(stderr, "pyalloc record: this launcher is run by 'pyalloc record', not directly\n");
        return 2;
    }
    if (exe) argv[0] = (char *)exe;
    const char *gz = getenv("PYALLOC_GZIP");
    out_fd = open_output(trace, gz && gz[0] == '1');
    if (out_fd < 0) return 2;
    /* Keep the launcher's variables out of the program's environment (and of its subprocesses). */
    unsetenv("PYALLOC_TRACE");
    unsetenv("PYALLOC_GZIP");
    unsetenv("PYALLOC_EXECUTABLE");
    owner_pid = getpid();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    write_header(argc, argv);
    pthread_atfork(NULL, NULL, in_child);

    PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &orig_mem);
    PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &orig_obj);
    hook_mem = (PyMemAllocatorEx){(void *)"mem", hook_malloc, hook_calloc, hook_realloc, hook_free};
    hook_obj = (PyMemAllocatorEx){(void *)"obj", hook_malloc, hook_calloc, hook_realloc, hook_free};
    PyObject_GetArenaAllocator(&orig_arena);
    hook_arena = (PyObjectArenaAllocator){NULL, hook_arena_alloc, hook_arena_free};
    PyObject_SetArenaAllocator(&hook_arena);
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &hook_mem);
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &hook_obj);
    if (PyImport_AppendInittab("pyalloc", PyInit_pyalloc) != 0) {
        fprintf(stderr, "pyalloc record: cannot add the pyalloc module\n");
        return 2;
    }
    enabled = 1;
    atexit(finish);  /* also covers exit() from C code; os._exit() and fatal signals cut the trace short */

    int rc;
#if PY_VERSION_HEX >= 0x03080000
    rc = Py_BytesMain(argc, argv);
#else
    wchar_t **wargv = PyMem_RawMalloc(sizeof(wchar_t *) * (size_t)(argc + 1));
    for (int i = 0; i < argc; i++) {
        wargv[i] = Py_DecodeLocale(argv[i], NULL);
        if (!wargv[i]) {
            fprintf(stderr, "pyalloc record: cannot decode argument %d\n", i);
            return 2;
        }
    }
    wargv[argc] = NULL;
    rc = Py_Main(argc, wargv);
#endif
    finish();
    if (write_failed && rc == 0) {
        fprintf(stderr, "pyalloc record: the trace is incomplete\n");
    }
    return rc;
}
