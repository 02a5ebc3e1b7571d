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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The recording launcher ({@code launcher.c}, shipped in the jar) compiled for one interpreter, cached so that
 * only the first recording with an interpreter pays for the compile.
 */
public final class Launcher {
    private static final String SOURCE = "/pyalloc/capture/launcher.c";

    private Launcher() {
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

    /** Returns the launcher binary for {@code py}, compiling it first when the cache has none. */
    public static Path forInterpreter(Interpreter py, Path cache) throws IOException, RecordException {
        byte[] source;
        try (InputStream in = Launcher.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IOException("the launcher source is missing from pyalloc's jar");
            }
            source = in.readAllBytes();
        }
        Path dir = cache.resolve("launchers").resolve(py.version() + "-" + key(source, py));
        Path binary = dir.resolve("pyalloc-launcher");
        if (Files.isExecutable(binary)) {
            return binary;
        }
        String cc = findCompiler();
        Files.createDirectories(dir);
        Path c = dir.resolve("launcher.c");
        Files.write(c, source);
        Path tmp = dir.resolve("pyalloc-launcher.tmp-" + ProcessHandle.current().pid());
        List<String> cmd = new ArrayList<>(List.of(cc, "-O2", "-std=gnu11", "-o", tmp.toString(), c.toString(),
                "-I" + py.includeDir(), "-L" + py.libDir(), "-lpython" + py.ldVersion(),
                "-Wl,-rpath," + py.libDir(), "-lpthread", "-ldl", "-lm"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            p.waitFor(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compiling the launcher");
        }
        if (p.exitValue() != 0) {
            Files.deleteIfExists(tmp);
            String first = out.lines().filter(l -> l.contains("error")).findFirst()
                    .orElse(out.lines().findFirst().orElse("exit code " + p.exitValue()));
            throw new RecordException(RecordException.UNSUPPORTED, "compiling the recording launcher for Python "
                    + py.version() + " failed (" + cc + "): " + first.strip());
        }
        try {
            Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, binary, StandardCopyOption.REPLACE_EXISTING);
        }
        return binary;
    }

    /** Returns the C compiler: $CC, else cc on PATH; says how to get one when there is none. */
    static String findCompiler() throws RecordException {
        String cc = System.getenv("CC");
        if (cc != null && !cc.isBlank()) {
            return cc;
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            for (String name : new String[] {"cc", "gcc", "clang"}) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        throw new RecordException(RecordException.UNSUPPORTED, "no C compiler (cc, gcc or clang) on PATH: the"
                + " recorder compiles a small launcher against the interpreter; install one (Debian: apt-get"
                + " install gcc) or set CC");
    }

    private static String key(byte[] source, Interpreter py) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(source);
            for (String s : new String[] {py.executable(), py.version(), py.libDir(), py.includeDir()}) {
                md.update(String.valueOf(s).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
