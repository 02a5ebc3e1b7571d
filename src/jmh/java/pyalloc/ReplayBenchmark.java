package pyalloc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import pyalloc.obmalloc.profile.Profiles;
import pyalloc.replay.ReplayOptions;
import pyalloc.replay.ReplaySession;
import pyalloc.report.ReportSink;
import pyalloc.trace.EventBatch;
import pyalloc.trace.InOrderReader;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;
import pyalloc.trace.TraceWriter;
import pyalloc.trace.binary.BinaryTraceReader;
import pyalloc.trace.csv.CsvTraceReader;


/**
 * The two halves of a replay apart: the model on pre-parsed events, and the input path on a trace already in
 * memory, CSV and binary. Scores are per event (ops = events). The trace: -Dpyalloc.bench.trace=PATH (any format),
 * default the shipped traces/service-3.11.pyat; its first EVENTS events are written to CSV and to binary in
 * memory, so that every benchmark sees the same events.
 *
 * <p>Run: {@code mvn -Pbenchmark -DskipTests package exec:exec}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@OperationsPerInvocation(ReplayBenchmark.EVENTS)
public class ReplayBenchmark {
    /** Events per invocation: the trace's first EVENTS events (the shipped sample has 441 thousand). */
    static final int EVENTS = 400_000;
    private byte[] csv;
    private byte[] binary;
    private List<EventBatch> batches;
    private long events;

    @Setup
    public void load() throws IOException {
        Path trace = Path.of(System.getProperty("pyalloc.bench.trace", "traces/service-3.11.pyat"));
        batches = new ArrayList<>();
        ByteArrayOutputStream csvOut = new ByteArrayOutputStream();
        ByteArrayOutputStream binaryOut = new ByteArrayOutputStream();
        try (InOrderReader r = (InOrderReader) TraceFormat.open(TraceSource.of(trace.toString()), false, false);
                TraceWriter c = TraceFormat.CSV.writer(csvOut, r.header(), false);
                TraceWriter w = TraceFormat.BINARY.writer(binaryOut, r.header(), true)) {
            EventBatch b = new EventBatch(1 << 14);
            while (events < EVENTS && r.fill(b) > 0) {
                b.count = (int) Math.min(b.count, EVENTS - events);
                batches.add(b);
                c.write(b);
                w.write(b);
                events += b.count;
                b = new EventBatch(1 << 14);
            }
            c.finish();
            w.finish();
        }
        if (events < EVENTS) {
            throw new IllegalStateException(trace + " has fewer than " + EVENTS + " events");
        }
        csv = csvOut.toByteArray();
        binary = binaryOut.toByteArray();
    }

    /** Events per second through the allocator model alone (pre-parsed, one thread). */
    @Benchmark
    public long model(Blackhole bh) throws IOException {
        ReplaySession replay = new ReplaySession(ReplayOptions.of(Profiles.CPYTHON_3_11.profile()), true,
                new ReportSink() { });
        for (EventBatch b : batches) {
            replay.accept(b);
        }
        bh.consume(replay.allocator().allocatedBlockBytes());
        return events;
    }

    /** Rows per second through the CSV reader alone (trace in memory, one thread). */
    @Benchmark
    public long reader(Blackhole bh) throws IOException {
        long n = 0;
        try (CsvTraceReader r = new CsvTraceReader("bench", new ByteArrayInputStream(csv), false)) {
            EventBatch b = new EventBatch(1 << 14);
            int k;
            while ((k = r.fill(b)) > 0) {
                n += k;
                bh.consume(b.ptr[k - 1]);
            }
        }
        return n;
    }

    /** Events per second through the binary reader alone (zstd blocks, trace in memory, one thread). */
    @Benchmark
    public long binaryReader(Blackhole bh) throws IOException {
        long n = 0;
        try (BinaryTraceReader r = new BinaryTraceReader("bench", new ByteArrayInputStream(binary), false)) {
            EventBatch b = new EventBatch(1 << 14);
            int k;
            while ((k = r.fill(b)) > 0) {
                n += k;
                bh.consume(b.ptr[k - 1]);
            }
        }
        return n;
    }

    /** Rows per second through the replay's own reader, which parses chunks on both cores (trace in memory). */
    @Benchmark
    public long readerBothCores(Blackhole bh) throws IOException {
        long n = 0;
        try (TraceReader r = CsvTraceReader.open("bench", new ByteArrayInputStream(csv), false, true)) {
            for (EventBatch b; (b = r.next()) != null; ) {
                n += b.count;
                bh.consume(b.ptr[b.count - 1]);
            }
        }
        return n;
    }
}
