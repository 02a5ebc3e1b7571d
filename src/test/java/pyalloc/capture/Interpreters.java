package pyalloc.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The CPython interpreters this kind of machine has, where it has them: pyenv builds, Debian's own
 * {@code /usr/bin/python3}, and Debian's 3.14 and 3.15 unpacked by {@code src/test/scripts/debian-cpython.sh}
 * (run through wrapper scripts). Each finder returns null when the interpreter is missing, so that a test can
 * skip with the reason.
 */
final class Interpreters {
    private Interpreters() {
    }

    /** The minor versions pyenv has here, oldest first. */
    static Stream<String> pyenvVersions() {
        return Stream.of("3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13");
    }

    static Path pyenvRoot() {
        String root = System.getenv("PYENV_ROOT");
        return Path.of(root != null ? root : System.getProperty("user.home") + "/.pyenv");
    }

    /** Returns the newest installed patch release of {@code minor} under pyenv, or null. */
    static Path pyenv(String minor) throws IOException {
        Path versions = pyenvRoot().resolve("versions");
        if (!Files.isDirectory(versions)) {
            return null;
        }
        try (Stream<Path> s = Files.list(versions)) {
            return s.filter(p -> p.getFileName().toString().matches(Pattern.quote(minor) + "\\.\\d+"))
                    .map(p -> p.resolve("bin/python3")).filter(Files::isExecutable).max(Path::compareTo).orElse(null);
        }
    }

    /** Returns a pyenv CPython 3.7+ (3.12 first), or null. */
    static Path anyPyenv() throws IOException {
        for (String v : List.of("3.12", "3.11", "3.13", "3.10", "3.9", "3.8", "3.7")) {
            Path p = pyenv(v);
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /** Returns Debian's {@code /usr/bin/python3} (a statically linked interpreter), or null. */
    static Path system() {
        Path p = Path.of("/usr/bin/python3");
        return Files.isExecutable(p) ? p : null;
    }

    /** Returns where debian-cpython.sh unpacks: $XDG_CACHE_HOME/debian-cpython, else ~/.cache/debian-cpython. */
    static Path debianPrefix() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("debian-cpython");
    }

    /** Returns the wrapper script that runs Debian's CPython {@code minor} (3.14, 3.15), or null. */
    static Path debian(String minor) {
        Path p = debianPrefix().resolve("bin/python" + minor);
        return Files.isExecutable(p) ? p : null;
    }

    /** Returns a virtual environment's python, made from {@code base} in {@code dir} (without pip: faster). */
    static Path venv(Path base, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(base.toString(), "-m", "venv", "--without-pip", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(base + " -m venv failed: " + out);
        }
        return dir.resolve("bin/python");
    }
}
