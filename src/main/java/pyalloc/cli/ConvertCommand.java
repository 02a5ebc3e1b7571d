package pyalloc.cli;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import pyalloc.report.ReportDir;
import pyalloc.report.StandardOutput;
import pyalloc.report.WriteFailures;
import pyalloc.report.text.SummaryText;
import pyalloc.trace.EventBatch;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;
import pyalloc.trace.TraceWriter;

/** {@code pyalloc convert}: a trace from one format into another, streaming. */
@Command(name = "convert", sortOptions = false, mixinStandardHelpOptions = true,
        description = {
            "Converts a trace between CSV (format 1: .csv, .csv.gz) and binary (format 2: .pyat), in one pass and in"
                    + " bounded memory whatever the trace's length. The input's format is told by its content; the"
                    + " output's by its name (.pyat, .csv or .csv.gz), or --to. Every event keeps its op, domain,"
                    + " pointers, size, time, label, line and call site (with the frame and site definitions): both"
                    + " forms replay to the same reports.",
            "",
            "The output is written beside its final name and moved into place when complete: a failed or interrupted"
                    + " conversion leaves no half-written file. - reads standard input or writes standard output."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pyalloc convert app.csv.gz app.pyat                  CSV to binary (zstd-compressed blocks)",
            "  pyalloc convert traces/cache-3.12.pyat - | head      read a binary trace as CSV",
            "  pyalloc convert app.pyat app.csv.gz                  binary to gzip CSV",
            "  pyalloc convert --no-compress app.pyat stored.pyat   blocks stored, for a reader without zstd",
            "  generate-trace.py | pyalloc convert - --to pyat gen.pyat"})
public final class ConvertCommand implements Callable<Integer> {

    /** What --to accepts. */
    enum Target {
        pyat(TraceFormat.BINARY, true), csv(TraceFormat.CSV, false), csv_gz(TraceFormat.CSV, true);

        final TraceFormat format;
        final boolean compress;

        Target(TraceFormat format, boolean compress) {
            this.format = format;
            this.compress = compress;
        }

        @Override
        public String toString() {
            return name().replace('_', '.');
        }
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "The trace to read (any format, gzip or not), or -.")
    String input;

    @Parameters(index = "1", paramLabel = "OUT", description = "The trace to write (.pyat, .csv, .csv.gz), or - for"
            + " standard output (CSV unless --to says otherwise).")
    String output;

    @Option(names = "--to", paramLabel = "FORMAT", converter = TargetConverter.class,
            description = "The output's format whatever its name: pyat, csv or csv.gz.")
    Target to;

    @Option(names = "--no-compress", description = "Binary output: store blocks without zstd (larger, and readable"
            + " by a reader without a zstd library).")
    boolean noCompress;

    @Option(names = "--lenient", description = "Skip malformed rows or blocks of the input instead of stopping.")
    boolean lenient;

    @Option(names = {"-q", "--quiet"}, description = "No message on success.")
    boolean quiet;

    /** Parses --to, where picocli's enum names cannot hold the dot of csv.gz. */
    static final class TargetConverter implements picocli.CommandLine.ITypeConverter<Target> {
        @Override
        public Target convert(String value) {
            for (Target t : Target.values()) {
                if (t.toString().equalsIgnoreCase(value)) {
                    return t;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("'" + value + "' is no format (expected pyat,"
                    + " csv or csv.gz)");
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        Target target = to != null ? to : target(output);
        TraceSource source = TraceSource.of(input);
        long start = System.nanoTime();
        long events = 0;
        boolean toStdout = output.equals("-");
        Path out = toStdout ? null : Path.of(output).toAbsolutePath().normalize();
        Path tmp = null;
        Thread cleanup = null;
        try (TraceReader reader = TraceFormat.open(source, lenient, true)) {
            OutputStream sink;
            if (toStdout) {
                // Not closed with the writer: standard output belongs to the process (and to a test's JVM).
                sink = new java.io.FilterOutputStream(new FileOutputStream(java.io.FileDescriptor.out)) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        try {
                            out.write(b, off, len);
                        } catch (IOException e) {
                            // A conversion cut short is no conversion: said, exit 4, as for every command.
                            throw new StandardOutput.Failure(e.getMessage());
                        }
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                };
            } else {
                if (Files.isDirectory(out)) {
                    throw new IOException(output + " is a folder, not a trace file");
                }
                if (Files.exists(out) && !Files.isRegularFile(out)) {
                    // The finished trace is renamed over the output: over /dev/null, as root, that replaced the device.
                    throw new IOException(output + " is not a regular file (a device, a FIFO or a socket); give a"
                            + " trace file name, or - for standard output");
                }
                Files.createDirectories(out.getParent());
                ReportDir.removeStale(out);  // what converts killed (SIGKILL) left beside it
                tmp = out.resolveSibling("." + out.getFileName() + ".tmp-" + ProcessHandle.current().pid());
                Path doomed = tmp;
                cleanup = new Thread(() -> ReportDir.deleteQuietly(doomed), "pyalloc-convert-cleanup");
                Runtime.getRuntime().addShutdownHook(cleanup);
                Path named = out;
                sink = new java.io.FilterOutputStream(Files.newOutputStream(tmp)) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        try {
                            out.write(b, off, len);
                        } catch (IOException e) {
                            throw WriteFailures.naming(named, e);  // "No space left on device" names the file
                        }
                    }

                    @Override
                    public void close() throws IOException {
                        try {
                            super.close();
                        } catch (IOException e) {
                            throw WriteFailures.naming(named, e);
                        }
                    }
                };
            }
            try (TraceWriter writer = target.format.writer(new BufferedOutputStream(sink, 1 << 16),
                    reader, target.compress && !noCompress)) {
                for (EventBatch b; (b = reader.next()) != null; ) {
                    writer.write(b);
                    events += b.count;
                }
                writer.finish();
            }
            // Said even with -q: a trace cut short (no end record) makes a conversion of what it holds, no more.
            reader.warnings().forEach(w -> err.println("pyalloc convert: warning: " + w));
            reader.endWarnings().forEach(w -> err.println("pyalloc convert: warning: " + w));
            if (!quiet) {
                reader.skippedExamples().forEach(m -> err.println("pyalloc convert: skipped " + m));
            }
            if (tmp != null) {
                move(tmp, out);
            }
        } finally {
            if (tmp != null) {
                ReportDir.deleteQuietly(tmp);
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway
                }
            }
        }
        if (!quiet) {
            err.printf(Locale.ROOT, "pyalloc convert: %s -> %s (%s%s): %,d events in %.2f s%n", source.name(),
                    output, target.format == TraceFormat.BINARY ? "binary" : "CSV",
                    toStdout ? "" : ", " + SummaryText.bytes(Files.size(out)), events,
                    (System.nanoTime() - start) / 1e9);
            err.flush();
        }
        return ExitCode.OK;
    }

    /** Returns the format OUT's name asks for; standard output is CSV. */
    private static Target target(String output) {
        if (output.equals("-")) {
            return Target.csv;
        }
        TraceFormat f = TraceFormat.byName(Path.of(output).getFileName().toString());
        if (f == null) {
            throw new PyallocException(ExitCode.USAGE, output + ": the name tells no trace format (.pyat, .csv or"
                    + " .csv.gz); give one, or --to");
        }
        return f == TraceFormat.BINARY ? Target.pyat : output.endsWith(".gz") ? Target.csv_gz : Target.csv;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
