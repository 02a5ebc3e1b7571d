package pyalloc.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/** Runs pyalloc in-process as the shell would, capturing exit code, standard output and standard error. */
public record Cli(int exit, String out, String err) {

    public static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = PyallocCommand.commandLine(args);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = PyallocCommand.execute(cmd, args);
        return new Cli(exit, out.toString(), err.toString());
    }

    /** This JVM's class path with absolute entries, for a child JVM in another working folder. */
    private static String classPath() {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            entries.add(Path.of(e).toAbsolutePath().toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /**
     * Runs pyalloc in a JVM of its own, with {@code stdin} as its standard input, and captures its standard output
     * and error: the real file descriptors, which a program that {@code record} runs writes to directly. In this
     * JVM that program would inherit the test JVM's own standard output, which is surefire's channel to Maven.
     */
    public static Cli runInChildJvm(Path scratch, String stdin, String... args)
            throws IOException, InterruptedException {
        return runInChildJvm(scratch, null, stdin, args);
    }

    /** As {@link #runInChildJvm(Path, String, String...)}, in the working folder {@code cwd} (null: this one's). */
    public static Cli runInChildJvm(Path scratch, Path cwd, String stdin, String... args)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Djava.awt.headless=true",
                "-cp", classPath(), PyallocCommand.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(scratch, "stdout", ".txt");
        Path err = Files.createTempFile(scratch, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("pyalloc " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        try {
            return new Cli(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }
}
