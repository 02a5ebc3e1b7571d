package pyalloc.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the recorder needs to know about a CPython interpreter, asked of the interpreter itself by running the
 * command as the program will be run (a pyenv shim, a virtual environment's python or a wrapper script alike),
 * and why it cannot be recorded when it cannot.
 *
 * @param executable     {@code sys.executable}
 * @param version        {@code 3.12.1}
 * @param implementation {@code sys.implementation.name}
 * @param gilDisabled    {@code Py_GIL_DISABLED}: a free-threaded build, which uses mimalloc, not pymalloc
 * @param pymalloc       {@code WITH_PYMALLOC}: built with pymalloc (not {@code --without-pymalloc})
 * @param preloaded      the recorder library, preloaded into the probe, found the C API and added its module
 */
public record Interpreter(String executable, String version, String implementation, boolean gilDisabled,
        boolean pymalloc, boolean preloaded) {

    private static final String PROBE = String.join(";",
            "import sys, sysconfig",
            "c = sysconfig.get_config_var",
            "print('executable=' + str(sys.executable))",
            "print('version=%d.%d.%d' % sys.version_info[:3])",
            "print('implementation=' + sys.implementation.name)",
            "print('pymalloc=' + str(c('WITH_PYMALLOC')))",
            "print('gil_disabled=' + str(c('Py_GIL_DISABLED')))",
            "print('preloaded=' + str(int('pyalloc' in sys.builtin_module_names)))");

    /**
     * Runs {@code command -c PROBE} with {@code library} (when not null) preloaded in probe mode; fails with a
     * message saying what the command is, if not a Python.
     */
    public static Interpreter probe(String command, Path library) throws IOException, RecordException {
        ProcessBuilder pb = new ProcessBuilder(command, "-c", PROBE).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PYALLOC_"));
        if (library != null) {
            env.put("LD_PRELOAD", Recording.preload(library, env.get("LD_PRELOAD")));
            env.put("PYALLOC_PROBE", "1");
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new RecordException(RecordException.Reason.NO_INTERPRETER, command + ": no such interpreter (not"
                    + " found on PATH, or not executable); name one with --python PATH, e.g. --python"
                    + " \"$(pyenv root)/versions/3.12.1/bin/python3\"");
        }
        p.getOutputStream().close();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RecordException(RecordException.Reason.NO_INTERPRETER, command
                        + " did not answer within 60 s");
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
            throw new RecordException(RecordException.Reason.NO_INTERPRETER, command + " is not a Python 3"
                    + " interpreter (running it with -c failed: " + first + ")");
        }
        return new Interpreter(kv.get("executable"), kv.get("version"), kv.getOrDefault("implementation", "?"),
                "1".equals(kv.get("gil_disabled")), "1".equals(kv.get("pymalloc")), "1".equals(kv.get("preloaded")));
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
        if (!pymalloc) {
            throw unsupported("Python " + version + " (" + executable + ") was built --without-pymalloc: there is"
                    + " no small-object allocator to record");
        }
        if (!preloaded) {
            throw unsupported("Python " + version + " (" + executable + ") did not take the recorder library:"
                    + " either something between pyalloc and the interpreter drops LD_PRELOAD from the environment"
                    + " (a wrapper script, sudo, a set-user-ID program), or the interpreter does not export its C API"
                    + " (a static build linked without --export-dynamic cannot load extension modules either)");
        }
    }

    private static RecordException unsupported(String message) {
        return new RecordException(RecordException.Reason.UNSUPPORTED, message);
    }
}
