package pyalloc.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the recorder needs to know about a CPython interpreter, asked of the interpreter itself (no
 * python-config needed), and why it cannot be recorded when it cannot.
 *
 * @param executable   {@code sys.executable}: the real binary, even when a pyenv shim was named
 * @param version      {@code 3.12.1}
 * @param includeDir   {@code INCLUDEPY}: where Python.h is
 * @param libDir       {@code LIBDIR}: where the shared libpython is
 * @param ldVersion    {@code LDVERSION}: {@code 3.12}, or {@code 3.7m}
 * @param shared       {@code Py_ENABLE_SHARED}: built with a shared libpython
 * @param gilDisabled  {@code Py_GIL_DISABLED}: a free-threaded build, which uses mimalloc, not pymalloc
 * @param implementation {@code sys.implementation.name}
 */
public record Interpreter(String executable, String version, String includeDir, String libDir, String ldVersion,
        boolean shared, boolean gilDisabled, String implementation) {

    private static final String PROBE = String.join(";",
            "import sys, sysconfig",
            "c = sysconfig.get_config_var",
            "print('executable=' + sys.executable)",
            "print('version=%d.%d.%d' % sys.version_info[:3])",
            "print('implementation=' + sys.implementation.name)",
            "print('include=' + str(c('INCLUDEPY')))",
            "print('libdir=' + str(c('LIBDIR')))",
            "print('ldversion=' + str(c('LDVERSION')))",
            "print('shared=' + str(c('Py_ENABLE_SHARED')))",
            "print('gil_disabled=' + str(c('Py_GIL_DISABLED')))");

    /** Runs {@code python -c PROBE}; fails with a message saying what the command is, if not a Python. */
    public static Interpreter probe(String command) throws IOException, RecordException {
        Process p;
        try {
            p = new ProcessBuilder(command, "-c", PROBE).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new RecordException(RecordException.NO_INTERPRETER, command + ": no such interpreter (not found"
                    + " on PATH, or not executable); name one with --python PATH, e.g. --python"
                    + " \"$(pyenv root)/versions/3.12.1/bin/python3\"");
        }
        p.getOutputStream().close();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RecordException(RecordException.NO_INTERPRETER, command + " did not answer within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        Map<String, String> kv = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        if (p.exitValue() != 0 || !kv.containsKey("version") || !kv.containsKey("executable")) {
            String first = out.isBlank() ? "exit code " + p.exitValue() : out.strip().lines().findFirst().orElse("");
            throw new RecordException(RecordException.NO_INTERPRETER, command + " is not a Python 3 interpreter"
                    + " (running it with -c failed: " + first + ")");
        }
        return new Interpreter(kv.get("executable"), kv.get("version"), kv.get("include"), kv.get("libdir"),
                kv.get("ldversion"), "1".equals(kv.get("shared")), "1".equals(kv.get("gil_disabled")),
                kv.getOrDefault("implementation", "?"));
    }

    /** Returns the minor version, {@code 3.12}. */
    public String minor() {
        String[] v = version.split("\\.");
        return v[0] + "." + v[1];
    }

    /** Throws with what is missing and how to get it, when this interpreter cannot be recorded. */
    public void checkRecordable() throws RecordException {
        String[] v = version.split("\\.");
        int major = Integer.parseInt(v[0]);
        int minor = Integer.parseInt(v[1]);
        if (!implementation.equals("cpython")) {
            throw unsupported(executable + " is " + implementation + ", not CPython: it has no pymalloc");
        }
        if (major != 3 || minor < 7) {
            throw unsupported("Python " + version + " cannot be recorded: before 3.7, start-up resets allocator"
                    + " hooks installed before it (Py_Main reinstalls the default allocators); use 3.7 or newer");
        }
        if (gilDisabled) {
            throw unsupported("Python " + version + " is a free-threaded build: it allocates with mimalloc, not"
                    + " pymalloc; record a default (GIL) build");
        }
        if (!shared || libDir == null || libDir.equals("None")) {
            throw unsupported("Python " + version + " (" + executable + ") has no shared libpython to embed;"
                    + " rebuild it with --enable-shared, e.g. PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install "
                    + version);
        }
        if (includeDir == null || !Files.isRegularFile(Path.of(includeDir, "Python.h"))) {
            throw unsupported("Python " + version + " has no C headers (no Python.h in " + includeDir + ");"
                    + " install its development files (Debian: apt-get install python" + minor() + "-dev)");
        }
    }

    private static RecordException unsupported(String message) {
        return new RecordException(RecordException.UNSUPPORTED, message);
    }
}
