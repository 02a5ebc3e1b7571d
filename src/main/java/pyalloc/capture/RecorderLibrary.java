package pyalloc.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The recorder ({@code recorder.c}, shipped in the jar): a shared library preloaded into the recorded program.
 * It needs nothing of the interpreter at build time, so one build serves every CPython; it is compiled with the
 * machine's C compiler on first use and cached, so only the first recording pays for the compile.
 */
public final class RecorderLibrary {
    private static final String SOURCE = "/pyalloc/capture/recorder.c";
    private static final String NAME = "libpyalloc-recorder.so";

    private RecorderLibrary() {
    }

    /** Returns the cache folder: $PYALLOC_CACHE, else $XDG_CACHE_HOME/pyalloc, else ~/.cache/pyalloc. */
    public static Path cacheDir() {
        String own = System.getenv("PYALLOC_CACHE");
        if (own != null && !own.isEmpty()) {
            return Path.of(own);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("pyalloc");
    }

    /** Returns the library in {@code cache}, compiling it first with $CC or cc when the cache has none. */
    public static Path in(Path cache) throws IOException, RecordException {
        return in(cache, findCompiler());
    }

    /** Returns the library in {@code cache}, compiling it first with {@code cc} when the cache has none. */
    public static Path in(Path cache, String cc) throws IOException, RecordException {
        byte[] source;
        try (InputStream in = RecorderLibrary.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IOException("the recorder's source is missing from pyalloc's jar");
            }
            source = in.readAllBytes();
        }
        Path dir = cache.resolve("recorder").resolve(key(source, cc));
        Path library = dir.resolve(NAME);
        if (Files.isRegularFile(library)) {
            return library;
        }
        Files.createDirectories(dir);
        Path c = dir.resolve("recorder.c");
        Files.write(c, source);
        Path tmp = dir.resolve(NAME + ".tmp-" + ProcessHandle.current().pid());
        List<String> cmd = List.of(cc, "-O2", "-std=gnu11", "-shared", "-fPIC", "-fvisibility=hidden", "-o",
                tmp.toString(), c.toString(), "-ldl", "-lpthread");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new RecordException(RecordException.Reason.UNSUPPORTED, "cannot run the C compiler " + cc
                    + " to build the recorder; install one (Debian: apt-get install gcc) or set CC");
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            p.waitFor(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compiling the recorder");
        }
        if (p.exitValue() != 0) {
            Files.deleteIfExists(tmp);
            String first = out.lines().filter(l -> l.contains("error")).findFirst()
                    .orElse(out.lines().findFirst().orElse("exit code " + p.exitValue()));
            throw new RecordException(RecordException.Reason.UNSUPPORTED, "compiling the recorder library failed ("
                    + cc + "): " + first.strip());
        }
        try {
            Files.move(tmp, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, library, StandardCopyOption.REPLACE_EXISTING);
        }
        return library;
    }

    /** Returns the C compiler: $CC, else cc, gcc or clang on PATH; says how to get one when there is none. */
    static String findCompiler() throws RecordException {
        String cc = System.getenv("CC");
        if (cc != null && !cc.isBlank()) {
            return cc;
        }
        String found = onPath("cc", "gcc", "clang");
        if (found == null) {
            throw new RecordException(RecordException.Reason.UNSUPPORTED, "no C compiler (cc, gcc or clang) on PATH:"
                    + " the recorder is a small library compiled on first use; install one (Debian: apt-get install"
                    + " gcc) or set CC");
        }
        return found;
    }

    /** Returns the first of {@code names} found executable on PATH, or null. */
    static String onPath(String... names) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String name : names) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        return null;
    }

    private static String key(byte[] source, String cc) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(source);
            md.update(cc.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
