package pyalloc.replay;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.function.LongConsumer;
import pyalloc.obmalloc.profile.ProfileChoice;
import pyalloc.obmalloc.profile.ProfileSpec;
import pyalloc.report.ReportSink;
import pyalloc.stats.RunResult;
import pyalloc.stats.SiteFrame;
import pyalloc.stats.SiteNames;
import pyalloc.trace.EventBatch;
import pyalloc.trace.SiteTable;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceFormatException;
import pyalloc.trace.TraceHeader;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;

/**
 * The whole run, the one place where the concerns meet: a trace opened in whatever format it is, the profile
 * chosen from the request and the trace's header, every batch replayed by a {@link ReplaySession}, every
 * output fed through {@link ReportSink}. The commands only build options and pick sinks.
 */
public final class Replay implements Closeable {
    private final TraceSource source;
    private final TraceReader reader;
    private AddressCheck addressCheck;

    private Replay(TraceSource source, TraceReader reader) {
        this.source = source;
        this.reader = reader;
    }

    /** Opens a trace for a replay (parsed on both cores); {@code lenient} skips malformed rows. */
    public static Replay open(TraceSource source, boolean lenient) throws IOException {
        try {
            return new Replay(source, TraceFormat.open(source, lenient, true));
        } catch (OutOfMemoryError e) {
            throw new HeapExhaustedException(source.name() + ": the trace reader's buffers (about 15 MiB)");
        }
    }

    /** Returns what the trace says about itself. */
    public TraceHeader header() {
        return reader.header();
    }

    /** Returns the reader, for its warnings and skipped rows. */
    public TraceReader reader() {
        return reader;
    }

    /** Returns the profile {@code spec} asks for, given this trace's header. */
    public ProfileChoice choose(ProfileSpec spec) {
        return spec.resolve(reader.header().pythonVersion());
    }

    /**
     * Replays the whole trace into {@code sink}, ends it with {@link ReportSink#onEnd} and returns the result;
     * {@code profileNote} says in the summary where the profile came from.
     */
    public RunResult run(ReplayOptions options, String profileNote, ReportSink sink) throws IOException {
        ReplaySession session = null;
        RunResult result;
        try {
            session = new ReplaySession(options, reader.header().hasTime(), sink,
                    reader.sites().map(Replay::names).orElse(null));
            // Another configuration than the recording's finds its blocks by pointer: by slot, given here by address
            // in the trace's own arenas, rather than in a map of every live pointer.
            PointerSlots slots = PointerSlots.isRecording(options, reader.header()) ? null : new PointerSlots();
            if (slots != null) {
                session.usePointerSlots();
            }
            for (EventBatch b; (b = reader.next()) != null; ) {
                if (slots != null) {
                    slots.assign(b);
                }
                session.accept(b);
            }
            result = session.finish(source.name(), profileNote, reader.skippedRows());
        } catch (OutOfMemoryError e) {
            throw new HeapExhaustedException(session == null
                    ? source.name() + ": the replay's model and timeline"
                    : source.name() + ": after " + session.events() + " events, the replay's model of "
                            + session.allLiveBlocks() + " live blocks and its timeline of " + session.timelineRows()
                            + " samples");
        } catch (SizeOverflowException e) {
            throw new TraceFormatException(source.name(), e.line(), e.getMessage());
        }
        addressCheck = session.addressCheck();
        try {
            sink.onEnd(result);
        } catch (OutOfMemoryError e) {
            throw new HeapExhaustedException(source.name() + ": the report and its charts (--no-charts needs"
                    + " less)");
        }
        return result;
    }

    /**
     * Replays the whole trace once through every configuration's model, side by side on up to {@code threads}
     * threads, each result as {@link #run} would give it alone; ends every configuration's sink and returns the
     * results in configuration order. {@code progress} gets the events read so far, on the caller's thread.
     */
    public List<RunResult> runAll(List<Configuration> configurations, int threads, LongConsumer progress)
            throws IOException {
        return new Broadcast(source.name(), configurations, threads).run(reader, reader.header().hasTime(), progress);
    }

    /** Returns the reports' view of a trace's call sites. */
    static SiteNames names(SiteTable table) {
        return site -> table.stack(site).stream().map(f -> new SiteFrame(f.file(), f.line(), f.function())).toList();
    }

    /** Returns, after {@link #run}, what the replay found of the trace's block addresses. */
    public AddressCheck addressCheck() {
        return addressCheck;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
