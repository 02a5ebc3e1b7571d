package pyalloc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.report.ReportDir;
import pyalloc.trace.EventBatch;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;
import pyalloc.trace.TraceWriter;

/**
 * Mutations of real traces (the shipped samples in traces/, as CSV, and the captures in test resources): byte flips,
 * truncation, insertion, deletion, splicing of pieces of other traces, gzip members split anywhere, corrupt,
 * cut short or followed by garbage, some fed through a FIFO in pieces with pauses as a slow pipe delivers them.
 * Every mutation must end in the documented outcome (issue 18):
 *
 * <ul>
 *   <li>exit 0, having replayed every row of what the file decompresses to (counted here, independently of the
 *       reader: silent loss shows as a smaller count), the new report in place; or
 *   <li>exit 3 with one line naming the file and a line (no earlier than the first mutated one) or, for gzip,
 *       how the stream broke and at which compressed byte; no stack trace; the previous report byte for byte
 *       as it was;
 *   <li>either way nothing beside the report folder, and the same outcome from a FIFO as from the file.
 * </ul>
 *
 * The default suite tries {@value #DEFAULT_MUTATIONS} mutations of windows of the traces' first 2 MiB;
 * {@code mvn -Pfuzz test} tries many more over whole traces (pyalloc.fuzz.mutations, pyalloc.fuzz.seed,
 * pyalloc.fuzz.readBytes). A failure names the seed and the mutation to rerun it.
 */
final class CorruptionFuzzTest {
    static final int DEFAULT_MUTATIONS = 1000;
    static final long SEED = Long.getLong("pyalloc.fuzz.seed", 20261202L);
    static final int MUTATIONS = Integer.getInteger("pyalloc.fuzz.mutations", DEFAULT_MUTATIONS);
    static final long READ_BYTES = Long.getLong("pyalloc.fuzz.readBytes", 2L << 20);
    /** One mutation in this many is also replayed from a FIFO, one in this many with charts. */
    static final int FIFO_EVERY = 20;
    static final int CHARTS_EVERY = 100;
    /** Mutations to check, by number (pyalloc.fuzz.only=748,19240), to rerun those a long run found; else all. */
    static final List<Integer> ONLY = Stream.of(System.getProperty("pyalloc.fuzz.only", "").split(","))
            .filter(x -> !x.isBlank()).map(Integer::valueOf).toList();

    /** A piece of a real trace: its header lines (comments and columns), then consecutive rows. */
    record Window(String source, byte[] header, byte[] rows) {
        byte[] text() {
            return concat(header, rows);
        }
    }

    /** A mutated trace: the file's bytes, what they decompress to (null: not even our reference can), and where the first change is. */
    record Case(String kind, byte[] file, boolean gzip, byte[] content, long firstChangedLine, boolean truncated) {
    }

    private static final List<Window> WINDOWS = new ArrayList<>();

    @TempDir
    static Path scratch;
    private static Path previous;

    @BeforeAll
    static void load() throws IOException {
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Path.of("src/test/resources/cpython"))) {
            s.filter(p -> p.getFileName().toString().equals("trace.csv.gz")).sorted().forEach(sources::add);
        }
        try (Stream<Path> s = Files.list(Path.of("traces"))) {
            s.filter(p -> p.toString().endsWith(".csv.gz") || p.toString().endsWith(".pyat")).sorted()
                    .forEach(sources::add);
        }
        Random r = new Random(SEED);
        for (Path p : sources) {
            byte[] text = p.toString().endsWith(".pyat") ? asCsv(p) : gunzip(p);
            int headerEnd = 0;
            for (int at = 0; at < text.length; ) {
                int nl = indexOf(text, (byte) '\n', at);
                boolean comment = text[at] == '#';
                at = nl + 1;
                if (!comment) {
                    headerEnd = at;
                    break;
                }
            }
            byte[] header = Arrays.copyOf(text, headerEnd);
            int lastNl = lastIndexOf(text, (byte) '\n');
            for (int w = 0; w < 6; w++) {
                int from = headerEnd + r.nextInt(Math.max(1, lastNl - headerEnd));
                from = from == headerEnd ? from : indexOf(text, (byte) '\n', from - 1) + 1;
                int to = Math.min(lastNl + 1, from + 2000 + r.nextInt(14_000));
                to = Math.max(from, lastIndexOf(Arrays.copyOf(text, to), (byte) '\n') + 1);
                if (w == 0) {
                    from = headerEnd;  // the trace's own beginning: arena rows, the first marks
                }
                WINDOWS.add(new Window(p.toString(), header, Arrays.copyOfRange(text, from, Math.max(from, to))));
            }
        }
        // The report a mutated run may replace: it must be this, byte for byte, after any failed run.
        previous = scratch.resolve("previous");
        Path good = scratch.resolve("good.csv");
        Files.write(good, WINDOWS.get(0).text());
        Cli r0 = Cli.run("replay", good.toString(), "-o", previous.toString(), "--no-charts", "-q");
        assertEquals(ExitCode.OK, r0.exit(), r0.err());
        Files.delete(good);
    }

    @Test
    void everyMutationEndsInADocumentedOutcome() throws Exception {
        Random r = new Random(SEED);
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < MUTATIONS && failures.size() < 10; i++) {
            Case c = mutate(r);
            if (!ONLY.isEmpty() && !ONLY.contains(i)) {
                if (i % FIFO_EVERY == 0) {
                    r.nextLong();  // as check would have drawn it
                }
                continue;
            }
            String outcome;
            try {
                outcome = check(c, i, r);
            } catch (AssertionError | Exception e) {
                failures.add("mutation " + i + " (" + c.kind() + ", seed " + SEED + "): " + e.getMessage());
                outcome = "FAILED";
            }
            outcomes.merge(c.kind() + " -> " + outcome, 1, Integer::sum);
        }
        System.out.printf(Locale.ROOT, "CorruptionFuzzTest: %d mutations (seed %d) in %.1f s: %s%n", MUTATIONS,
                SEED, (System.nanoTime() - start) / 1e9, outcomes);
        assertEquals(List.of(), failures);
    }

    // ---------------------------------------------------------------- mutations

    private static final byte[] INTERESTING = ",\n\r\"#0x-9af \u0000".getBytes(StandardCharsets.ISO_8859_1);

    static Case mutate(Random r) throws IOException {
        Window w = WINDOWS.get(r.nextInt(WINDOWS.size()));
        byte[] text = w.text();
        int kind = r.nextInt(10);
        if (kind < 5) {
            return plain(r, text, kind);
        }
        return gzipped(r, text, kind);
    }

    /** A plain trace, changed in place: flips, truncation, insertion, deletion, a splice from another trace. */
    static Case plain(Random r, byte[] text, int kind) {
        byte[] b = text.clone();
        int first = Integer.MAX_VALUE;
        String name;
        boolean truncated = false;
        switch (kind) {
            case 0 -> {
                name = "flip";
                for (int n = 1 + r.nextInt(4); n > 0; n--) {
                    int at = r.nextInt(b.length);
                    b[at] = r.nextBoolean() ? (byte) r.nextInt(256) : INTERESTING[r.nextInt(INTERESTING.length)];
                    first = Math.min(first, at);
                }
            }
            case 1 -> {
                name = "truncate";
                int at = r.nextInt(b.length + 1);
                b = Arrays.copyOf(b, at);
                first = Math.max(0, at - 1);
                truncated = true;
            }
            case 2 -> {
                name = "insert";
                int at = r.nextInt(b.length + 1);
                byte[] ins = new byte[1 + r.nextInt(8)];
                for (int k = 0; k < ins.length; k++) {
                    ins[k] = r.nextBoolean() ? (byte) r.nextInt(256) : INTERESTING[r.nextInt(INTERESTING.length)];
                }
                b = concat(Arrays.copyOf(b, at), ins, Arrays.copyOfRange(b, at, b.length));
                first = at;
            }
            case 3 -> {
                name = "delete";
                int at = r.nextInt(b.length);
                int len = 1 + r.nextInt(Math.min(200, b.length - at));
                b = concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + len, b.length));
                first = at;
            }
            default -> {
                name = "splice";
                byte[] other = WINDOWS.get(r.nextInt(WINDOWS.size())).rows();
                int from = other.length == 0 ? 0 : r.nextInt(other.length);
                int len = Math.min(other.length - from, r.nextInt(3000));
                boolean atLine = r.nextBoolean();
                int at = r.nextInt(b.length + 1);
                if (atLine) {
                    at = at == 0 ? 0 : indexOf(b, (byte) '\n', at - 1) + 1;
                    from = from == 0 ? 0 : indexOf(other, (byte) '\n', from - 1) + 1;
                    len = Math.min(len, other.length - from);
                }
                b = concat(Arrays.copyOf(b, at), Arrays.copyOfRange(other, from, from + len),
                        Arrays.copyOfRange(b, at, b.length));
                first = at;
            }
        }
        return new Case(name, b, false, b, lineOf(b, first), truncated);
    }

    /** A gzip trace of one member or several (split anywhere), then perhaps corrupt, cut short or followed by more. */
    static Case gzipped(Random r, byte[] text, int kind) throws IOException {
        int members = 1 + r.nextInt(4);
        List<Integer> cuts = new ArrayList<>();
        for (int m = 1; m < members; m++) {
            cuts.add(r.nextInt(text.length + 1));
        }
        cuts.sort(Comparator.naturalOrder());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int m = 0; m < members; m++) {
            int to = m < members - 1 ? cuts.get(m) : text.length;
            out.writeBytes(gzip(text, from, to));
            from = to;
        }
        byte[] z = out.toByteArray();
        String name = members + "-member gzip";
        boolean truncated = false;
        switch (kind) {
            case 5 -> name += " whole";
            case 6 -> {
                name += " flip";
                for (int n = 1 + r.nextInt(3); n > 0; n--) {
                    z[r.nextInt(z.length)] ^= (byte) (1 + r.nextInt(255));
                }
            }
            case 7 -> {
                name += " truncate";
                z = Arrays.copyOf(z, r.nextInt(z.length));
                truncated = true;
            }
            case 8 -> {
                name += " then garbage";
                byte[] garbage = new byte[1 + r.nextInt(40)];
                r.nextBytes(garbage);
                if (r.nextBoolean()) {
                    garbage[0] = 0x1f;  // looks like a member, then is not one
                    if (garbage.length > 1) {
                        garbage[1] = (byte) 0x8b;
                    }
                }
                z = concat(z, garbage);
            }
            default -> {
                name += " spliced member";
                byte[] other = WINDOWS.get(r.nextInt(WINDOWS.size())).rows();
                byte[] member = gzip(other, 0, Math.min(other.length, r.nextInt(5000)));
                int at = r.nextBoolean() ? z.length : r.nextInt(z.length);
                z = concat(Arrays.copyOf(z, at), member, Arrays.copyOfRange(z, at, z.length));
            }
        }
        return new Case(name, z, true, gunzipReference(z), -1, truncated);
    }

    // ---------------------------------------------------------------- the oracle

    /** Replays the case from a file (and perhaps a FIFO) and checks its outcome; returns it in a word. */
    static String check(Case c, int index, Random r) throws Exception {
        Path dir = Files.createDirectory(scratch.resolve("m" + index));
        try {
            Path file = dir.resolve(c.gzip() ? "t.csv.gz" : "t.csv");
            Files.write(file, c.file());
            Path rep = dir.resolve("rep");
            copyDir(previous, rep);
            boolean charts = index % CHARTS_EVERY == 0;
            Cli run = charts ? Cli.run("replay", file.toString(), "-o", rep.toString(), "-q")
                    : Cli.run("replay", file.toString(), "-o", rep.toString(), "-q", "--no-charts");
            String outcome = assertDocumented(c, file, rep, run);
            assertEquals(List.of("rep", file.getFileName().toString()), names(dir), "nothing beside the report");
            if (index % FIFO_EVERY == 0) {
                Path fifo = dir.resolve(c.gzip() ? "f.csv.gz" : "f.csv");
                assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
                Path rep2 = dir.resolve("rep2");
                Thread writer = feed(fifo, c.file(), r.nextLong());
                Cli piped = Cli.run("replay", fifo.toString(), "-o", rep2.toString(), "-q", "--no-charts");
                writer.join();
                assertTrue(names(dir).stream().noneMatch(n -> n.startsWith(".")), "nothing beside the reports");
                assertEquals(run.exit(), piped.exit(), "from a FIFO as from a file: " + piped.err());
                assertEquals(run.err().replace(file.toString(), "F"), piped.err().replace(fifo.toString(), "F"));
                if (run.exit() == ExitCode.OK) {
                    assertEquals(report(rep), report(rep2), "from a FIFO as from a file");
                }
            }
            return outcome;
        } finally {
            deleteDir(dir);
        }
    }

    static String assertDocumented(Case c, Path file, Path rep, Cli run) throws IOException {
        String err = run.err();
        assertTrue(run.exit() == ExitCode.OK || run.exit() == ExitCode.BAD_TRACE, "exit " + run.exit() + ": " + err);
        assertTrue(!err.contains("\tat ") && !err.contains("Exception") && !err.contains("Error"), err);
        if (run.exit() == ExitCode.OK) {
            assertEquals("", err);
            assertTrue(c.content() != null, "exit 0, but the file does not decompress: " + c.kind());
            assertTrue(Files.exists(rep.resolve(ReportDir.MARKER)), "the new report is in place");
            long rows = rows(c.content());
            if (rows >= 0) {
                assertEquals(rows, Long.parseLong(summaryColumn(rep, "events")), "every row replayed: " + c.kind());
            }
            return "0";
        }
        assertEquals(1, err.lines().count(), err);
        String prefix = "pyalloc replay: " + file;
        assertTrue(err.startsWith(prefix + ":"), err);
        String rest = err.substring(prefix.length());
        assertEquals(snapshot(previous), snapshot(rep), "the previous report, untouched");
        Matcher line = Pattern.compile("^:(\\d+): ").matcher(rest);
        if (line.find()) {
            long l = Long.parseLong(line.group(1));
            assertTrue(c.firstChangedLine() < 0 || l >= c.firstChangedLine(), "line " + l + " before the first change"
                    + " at line " + c.firstChangedLine() + ": " + err);
            return "3 at a line";
        }
        assertTrue(rest.startsWith(": "), err);
        if (c.gzip()) {
            assertTrue(rest.matches(": (gzip (header|stream) is (corrupt|cut short).*|is named \\.gz but is not"
                    + " gzip-compressed)\n"), err);
            if (c.truncated() && rest.startsWith(": gzip stream")) {
                assertTrue(rest.contains("cut short") && (rest.contains("compressed byte " + c.file().length)
                        || rest.contains("header of member") || rest.contains("trailer of member")),
                        "a cut-short stream says where: " + err);
            }
            return "3 gzip";
        }
        assertTrue(rest.matches(": is empty: no header line.*\n"), err);
        return "3 empty";
    }

    /**
     * Returns the events a replay of {@code text} counts (every row but comments, blank lines and free of an empty
     * pointer), or -1 when this simple count cannot tell (quotes; no header with op and ptr).
     */
    static long rows(byte[] text) {
        String s = new String(text, StandardCharsets.UTF_8);
        if (s.indexOf('"') >= 0 || s.indexOf('\uFFFD') >= 0) {
            return -1;
        }
        if (s.startsWith("\uFEFF")) {
            s = s.substring(1);
        }
        String[] lines = s.split("\n", -1);
        int op = -1;
        int ptr = -1;
        long n = 0;
        boolean header = false;
        for (String l : lines) {
            if (l.endsWith("\r")) {
                l = l.substring(0, l.length() - 1);
            }
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split(",", -1);
            if (!header) {
                List<String> cols = Arrays.stream(f).map(x -> x.trim().toLowerCase(Locale.ROOT)).toList();
                op = cols.indexOf("op");
                ptr = cols.indexOf("ptr");
                if (op < 0 || ptr < 0) {
                    return -1;
                }
                header = true;
                continue;
            }
            String o = op < f.length ? f[op] : "";
            String p = ptr < f.length ? f[ptr] : "";
            if ((o.equals("free") || o.equals("f")) && p.isEmpty()) {
                continue;  // free(NULL)
            }
            n++;
        }
        return n;
    }

    // ---------------------------------------------------------------- helpers

    /** Returns the first {@link #READ_BYTES} of a gzip CSV trace. */
    static byte[] gunzip(Path p) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readNBytes((int) Math.min(READ_BYTES, Integer.MAX_VALUE - 16));
        }
    }

    /** Returns a binary trace (the shipped samples) as CSV, as convert writes it: about its first READ_BYTES. */
    static byte[] asCsv(Path p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TraceReader r = TraceFormat.open(TraceSource.of(p.toString()), false, false);
                TraceWriter w = TraceFormat.CSV.writer(out, r, false)) {
            for (EventBatch b; out.size() < READ_BYTES && (b = r.next()) != null; ) {
                w.write(b);
            }
            w.finish();
        }
        return out.toByteArray();
    }

    /** Writes {@code b} into a FIFO in pieces of random size, pausing between some as a slow pipe does. */
    static Thread feed(Path fifo, byte[] b, long seed) {
        Thread t = new Thread(() -> {
            Random r = new Random(seed);
            try (OutputStream out = Files.newOutputStream(fifo)) {
                for (int at = 0; at < b.length; ) {
                    int n = Math.min(b.length - at, 1 + r.nextInt(20_000));
                    out.write(b, at, n);
                    out.flush();
                    at += n;
                    if (r.nextInt(4) == 0) {
                        Thread.sleep(1 + r.nextInt(15));
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the replay stopped reading (a malformed trace): its outcome is what the test checks
            }
        }, "fifo-writer");
        t.start();
        return t;
    }

    private static final boolean GZIP_TOOL = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
            .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "gzip")));

    /**
     * Returns what gzip itself makes of {@code z} ({@code gzip -dc}, which warns of trailing garbage with exit 2:
     * null then, as for any error); without a gzip tool, the JDK's reader over a byte array (whose available() is
     * exact), which takes trailing garbage for the end.
     */
    static byte[] gunzipReference(byte[] z) {
        if (GZIP_TOOL) {
            try {
                Process p = new ProcessBuilder("gzip", "-dc").redirectError(ProcessBuilder.Redirect.DISCARD).start();
                Thread in = new Thread(() -> {
                    try (OutputStream o = p.getOutputStream()) {
                        o.write(z);
                    } catch (IOException e) {
                        // gzip stopped reading: its exit code says why
                    }
                });
                in.start();
                byte[] out = p.getInputStream().readAllBytes();
                in.join();
                return p.waitFor() == 0 ? out : null;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(z))) {
            return in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static byte[] gzip(byte[] b, int from, int to) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b, from, to - from);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static int indexOf(byte[] b, byte x, int from) {
        for (int i = Math.max(0, from); i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return b.length - 1;
    }

    static int lastIndexOf(byte[] b, byte x) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    /** Returns the 1-based line of byte {@code at}. */
    static long lineOf(byte[] b, int at) {
        long line = 1;
        for (int i = 0; i < Math.min(at, b.length); i++) {
            if (b[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    /** The report's files that do not depend on the wall clock, without their first column (the trace's name). */
    static String report(Path out) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String f : new String[] {"marks.csv", "timeline.csv", "arenas.csv"}) {
            Files.readAllLines(out.resolve(f)).forEach(l -> sb.append(l.substring(l.indexOf(',') + 1)).append('\n'));
        }
        return sb.toString();
    }

    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        for (String n : names(dir)) {
            files.put(n, new String(Files.readAllBytes(dir.resolve(n)), StandardCharsets.ISO_8859_1));
        }
        return files;
    }

    /** Returns a column of the one row of a report's summary.csv (written by pyalloc: no quotes in these). */
    static String summaryColumn(Path rep, String column) throws IOException {
        List<String> lines = Files.readAllLines(rep.resolve("summary.csv"));
        int at = List.of(lines.get(0).split(",", -1)).indexOf(column);
        return lines.get(1).split(",", -1)[at];
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectory(to);
        for (String n : names(from)) {
            Files.copy(from.resolve(n), to.resolve(n));
        }
    }

    static void deleteDir(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
