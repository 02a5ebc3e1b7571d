package pyalloc;

import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.io.IOException;
import pyalloc.obmalloc.Allocator;
import pyalloc.obmalloc.Anomaly;
import pyalloc.obmalloc.AnomalyLog;
import pyalloc.obmalloc.Block;
import pyalloc.obmalloc.profile.AllocatorProfile;
import pyalloc.stats.Footprint;
import pyalloc.stats.RunSummary;
import pyalloc.stats.Snapshot;
import pyalloc.stats.Timeline;
import pyalloc.trace.Domain;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Op;
import pyalloc.trace.TraceReader;

/**
 * The one straight path: trace events in, through the allocator model, out as snapshots, a timeline and a
 * run summary. Everything else (reading, reports, the CLI) plugs into this class.
 */
public final class Replay {

    /**
     * What a replay needs to know, all in one value.
     *
     * @param profile        the allocator to simulate
     * @param samples        timeline samples wanted (the timeline keeps between this and twice this)
     * @param pinnedBelow    arena occupancy under which an arena with live blocks counts as pinned (0..1)
     * @param strict         stop at the first anomaly
     * @param checkAddresses compare every small block's simulated address with the trace's pointer
     */
    public record Options(AllocatorProfile profile, int samples, double pinnedBelow, boolean strict,
            boolean checkAddresses) {
        public static Options of(AllocatorProfile profile) {
            return new Options(profile, 1000, 0.25, false, false);
        }
    }

    /** Receives what happens during a replay, on the replaying thread. */
    public interface Listener {
        /** Called at every {@code mark} row, in trace order. */
        default void onMark(Snapshot snapshot) {
        }

        /** Called after every batch (a few thousand events) with the events replayed so far. */
        default void onProgress(long events) {
        }
    }

    /** The first block whose simulated address differs from the trace's pointer. */
    public record AddressMismatch(long line, String op, long expected, long got) {
    }

    /** What a finished replay hands to the reports. */
    public record Result(Snapshot end, Timeline timeline, RunSummary summary, AnomalyLog anomalies, long events,
            long nanos, long addressesChecked, long addressesExact, AddressMismatch firstMismatch, int marks,
            long rawDomainBlocks, long rawDomainBytes, long realArenaRows) {

        /** Returns events replayed per second of wall time. */
        public double eventsPerSecond() {
            return nanos == 0 ? 0 : events * 1e9 / nanos;
        }
    }

    /** Thrown by a strict replay at the first anomaly. */
    public static final class StrictAnomalyException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        StrictAnomalyException(AnomalyLog.Entry entry) {
            super(entry.line() + ": " + entry.kind().description().replaceFirst(" \\(.*\\)$", "")
                    + (entry.pointer().isEmpty() ? "" : " (" + entry.pointer() + ")"));
        }
    }

    private final Options options;
    /** {@link Options#checkAddresses}, tested before the call: the model's step has no inlining to spare. */
    private final boolean checkAddresses;
    private final Allocator allocator;
    /**
     * True while every small block in use sits at the address the trace gave it, which holds for a trace
     * recorded from the interpreter the profile models: then a pointer finds its block by address, in the
     * model's few pools, as CPython finds it, and {@link #live} holds only the blocks pymalloc declined.
     * The first block elsewhere (another profile, a made-up trace, symbolic pointers) switches to {@link #live}
     * for all blocks, for the rest of the replay. The answers are the same either way; only the speed
     * differs, since a lookup in a map of every live block misses the caches on large traces.
     */
    private boolean byAddress = true;
    /** Live MEM/OBJ pointers and their block handles (only raw-served blocks while {@link #byAddress}). */
    private final PointerMap live = new PointerMap(Block.NONE);
    /** Live RAW-domain pointers and their sizes: counted, never simulated. */
    private final PointerMap rawDomain = new PointerMap(-1);
    private long rawDomainBytes;
    /** Arenas the real allocator mapped (any size), for spotting arena_free of unknown ones. */
    private final LongOpenHashSet realArenas = new LongOpenHashSet();
    private long realArenaRows;
    private final AnomalyLog anomalies = new AnomalyLog();
    private final RunSummary summary = new RunSummary();
    private final Timeline timeline;
    private long events;
    private long lastClock;
    private boolean hasTime;
    private long addressesChecked;
    private long addressesExact;
    private AddressMismatch firstMismatch;
    private int marks;

    public Replay(Options options) {
        this.options = options;
        this.checkAddresses = options.checkAddresses();
        this.allocator = new Allocator(options.profile());
        this.timeline = new Timeline(options.samples());
    }

    /** Returns the model, for tests and checks that inspect it after a replay. */
    public Allocator allocator() {
        return allocator;
    }

    /** Replays a whole trace and returns the result; a mark's snapshot goes to the listener as it is taken. */
    public Result run(TraceReader reader, Listener listener) throws IOException {
        long start = System.nanoTime();
        hasTime = reader.hasTime();
        sample();
        for (EventBatch b; (b = reader.next()) != null; ) {
            for (int i = 0; i < b.count; i++) {
                replay(b, i, listener);
            }
            listener.onProgress(events);
        }
        Snapshot end = Snapshot.take(allocator, "end", events, hasTime ? lastClock : -1, 0, options.pinnedBelow());
        timeline.addFinal(sampleRow());
        return new Result(end, timeline, summary, anomalies, events, System.nanoTime() - start, addressesChecked,
                addressesExact, firstMismatch, marks, rawDomain.size(), rawDomainBytes, realArenaRows);
    }

    /** Replays event {@code i} of a batch; public so that benchmarks and tests can drive the model directly. */
    public void replay(EventBatch b, int i, Listener listener) {
        step(b, i, listener);
        account(b, i);
    }

    /**
     * The event's effect on the model. Kept apart from {@link #account}: C2 inlines at most so much into one
     * method (DesiredMethodLimit), and with the model's malloc, free and lookups inlined here, the accounting
     * after them was left as eight calls an event (-XX:+PrintInlining showed it).
     */
    private void step(EventBatch b, int i, Listener listener) {
        long ptr = b.ptr[i];
        byte op = b.op[i];
        // Not a switch: C2 compiles the cases no event has reached yet as traps, and an op first met halfway
        // through a trace (a calloc, an arena_free, a mark) made it throw this method away and compile it
        // again. Arena rows and marks leave by the branch the trace's first row, an arena_alloc, takes.
        if (op <= Op.CALLOC) {  // ALLOC or CALLOC
            long size = b.size[i];
            if (b.domain[i] == Domain.RAW) {
                rawAlloc(b, i, ptr, size);
            } else if (byAddress && allocator.nextAddress(size) == ptr && !live.mightContain(ptr)
                    && !allocator.arenasOverlapped()) {
                // The block lands where the trace says, so that address was free: nothing to look up.
                allocator.malloc(size);
                if (checkAddresses) {
                    addressesChecked++;
                    addressesExact++;
                }
            } else {
                alloc(b, i, ptr, size);
            }
        } else if (op == Op.FREE) {
            if (b.domain[i] == Domain.RAW) {
                rawFree(b, i, ptr, Anomaly.FREE_OF_UNKNOWN);
            } else {
                long block = take(ptr);
                if (block == Block.NONE) {
                    anomaly(Anomaly.FREE_OF_UNKNOWN, b.line(i), ptr);
                } else {
                    allocator.free(block);
                }
            }
        } else if (op == Op.REALLOC) {
            realloc(b, i, ptr);
        } else {
            arenaOrMark(b, i, ptr, listener);
        }
    }

    /** The rare rows: arena_alloc, arena_free and mark. */
    private void arenaOrMark(EventBatch b, int i, long ptr, Listener listener) {
        switch (b.op[i]) {
            case Op.ARENA_ALLOC -> {
                realArenaRows++;
                realArenas.add(ptr);
                if (b.size[i] == options.profile().arenaSize()) {
                    allocator.offerArenaBase(ptr);  // the n-th new arena takes the n-th arena-sized mapping
                }
            }
            case Op.ARENA_FREE -> {
                if (!realArenas.remove(ptr)) {
                    anomaly(Anomaly.ARENA_FREE_OF_UNKNOWN, b.line(i), ptr);
                }
            }
            case Op.MARK -> {
                marks++;
                listener.onMark(Snapshot.take(allocator, b.label[i], events, b.ns[i], b.line(i),
                        options.pinnedBelow()));
            }
            default -> throw new IllegalStateException("unknown op " + b.op[i]);
        }
    }

    /** Counts the event and folds the model's new state into the run summary and the timeline. */
    private void account(EventBatch b, int i) {
        events++;
        long clock = hasTime ? b.ns[i] : events;
        lastClock = clock;
        summary.update(clock, allocator.requestedBytes(),
                (long) allocator.narenasCurrentlyAllocated() * options.profile().arenaSize());
        if (timeline.due(events)) {
            sample();
        }
    }

    /** An alloc that step's shortcut does not take: its pointer is looked up first (it may be live), then bound. */
    private void alloc(EventBatch b, int i, long ptr, long size) {
        long old = take(ptr);
        if (old != Block.NONE) {
            anomaly(Anomaly.ALLOC_OF_LIVE, b.line(i), ptr);
            allocator.free(old);
        }
        long block = allocator.malloc(size);
        bindUnbound(ptr, block);
        if (checkAddresses) {
            check(b, i, block, ptr);
        }
    }

    private void realloc(EventBatch b, int i, long ptr) {
        long newPtr = b.newPtr[i];
        long size = b.size[i];
        if (b.domain[i] == Domain.RAW) {
            rawFree(b, i, ptr, Anomaly.REALLOC_OF_UNKNOWN);
            rawAlloc(b, i, newPtr, size);
            return;
        }
        long block = take(ptr);
        long moved;
        if (block == Block.NONE) {
            anomaly(Anomaly.REALLOC_OF_UNKNOWN, b.line(i), ptr);
            moved = allocator.malloc(size);
        } else {
            moved = allocator.realloc(block, size);
        }
        if (newPtr == ptr) {
            bindUnbound(newPtr, moved);  // resized in place: the pointer was just unbound
        } else {
            long old = bind(newPtr, moved);
            if (old != Block.NONE) {
                anomaly(Anomaly.ALLOC_OF_LIVE, b.line(i), newPtr);
                allocator.free(old);
            }
        }
        if (checkAddresses) {
            check(b, i, moved, newPtr);
        }
    }

    /** Unbinds {@code ptr} and returns the block it named, or {@link Block#NONE}; the block stays allocated. */
    private long take(long ptr) {
        if (!byAddress) {
            return live.remove(ptr);
        }
        long block = allocator.blockAt(ptr);
        if (block != Block.NONE || !live.mightContain(ptr)) {
            return block;
        }
        return live.remove(ptr);
    }

    /** Binds {@code ptr} to a block just allocated; returns the block it named before, or {@link Block#NONE}. */
    private long bind(long ptr, long block) {
        if (byAddress) {
            if (Block.isRaw(block)) {
                long old = allocator.blockAt(ptr);
                if (old != Block.NONE) {
                    live.put(ptr, block);
                    return old;
                }
            } else if (allocator.address(block) == ptr && !allocator.arenasOverlapped()) {
                return live.mightContain(ptr) ? live.remove(ptr) : Block.NONE;
            } else {
                byPointerFrom(block);
            }
        }
        return live.put(ptr, block);
    }

    /** {@link #bind} for a pointer just unbound by {@link #take}: nothing else can be bound to it. */
    private void bindUnbound(long ptr, long block) {
        if (byAddress && !Block.isRaw(block) && allocator.address(block) == ptr && !allocator.arenasOverlapped()) {
            return;  // the common case, without bind's look-up in the map of raw-served blocks
        }
        bind(ptr, block);
    }

    /** Leaves {@link #byAddress}: binds every live small block but {@code except} to its (so far real) address. */
    private void byPointerFrom(long except) {
        byAddress = false;
        allocator.forEachLiveBlock((address, block) -> {
            if (!Block.sameBlock(block, except)) {
                live.put(address, block);
            }
        });
    }

    /** Forgets a RAW-domain pointer; {@code unknown} names the anomaly when it is not live. */
    private void rawFree(EventBatch b, int i, long ptr, Anomaly unknown) {
        long size = rawDomain.remove(ptr);
        if (size < 0) {
            anomaly(unknown, b.line(i), ptr);
        } else {
            rawDomainBytes -= size;
        }
    }

    private void rawAlloc(EventBatch b, int i, long ptr, long size) {
        long old = rawDomain.put(ptr, size);
        if (old >= 0) {
            anomaly(Anomaly.ALLOC_OF_LIVE, b.line(i), ptr);
            rawDomainBytes -= old;
        }
        rawDomainBytes += size;
    }

    /** In verify mode: the simulated address of a small block must be the real one. */
    private void check(EventBatch b, int i, long block, long ptr) {
        if (Block.isRaw(block)) {
            return;
        }
        addressesChecked++;
        long got = allocator.address(block);
        if (got == ptr) {
            addressesExact++;
        } else if (firstMismatch == null) {
            firstMismatch = new AddressMismatch(b.line(i), Op.name(b.op[i]), ptr, got);
        }
    }

    private void anomaly(Anomaly kind, long line, long ptr) {
        String pointer = ptr == EventBatch.NO_PTR || ptr < 0 ? "" : "0x" + Long.toHexString(ptr);
        AnomalyLog.Entry e = anomalies.add(kind, line, pointer);
        if (options.strict()) {
            throw new StrictAnomalyException(e);
        }
    }

    private void sample() {
        timeline.add(sampleRow());
    }

    private long[] sampleRow() {
        Footprint f = Footprint.of(allocator);
        return new long[] {
            events, hasTime ? lastClock : -1, f.requestedBytes(), f.allocatedBlockBytes(),
            f.availableBlockBytes(), f.unusedPoolBytes(), f.overheadBytes(), f.usedPoolBytes(), f.arenaBytes(),
            f.touchedBytes(),
            f.usedPools(), f.arenas(), Snapshot.idealArenas(allocator),
            Snapshot.pinnedArenas(allocator, options.pinnedBelow()), summary.peakRequested(),
            summary.peakArenaBytes()
        };
    }
}
