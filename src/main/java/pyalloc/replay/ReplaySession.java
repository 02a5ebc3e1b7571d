package pyalloc.replay;

import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.io.IOException;
import java.util.List;
import pyalloc.obmalloc.Allocator;
import pyalloc.obmalloc.Block;
import pyalloc.report.ReportSink;
import pyalloc.stats.Anomaly;
import pyalloc.stats.AnomalyLog;
import pyalloc.stats.Footprint;
import pyalloc.stats.Meshing;
import pyalloc.stats.RunResult;
import pyalloc.stats.RunSummary;
import pyalloc.stats.SiteAttribution;
import pyalloc.stats.SiteLedger;
import pyalloc.stats.SiteNames;
import pyalloc.stats.SiteTimeline;
import pyalloc.stats.Snapshot;
import pyalloc.stats.Timeline;
import pyalloc.trace.Domain;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Op;

/**
 * One replay: trace events in, through the allocator model, out as snapshots, a timeline and a run summary.
 * The reader hands it batches ({@link #accept}); {@link #finish} returns what the reports need. Every snapshot
 * and sample goes to one {@link ReportSink} (usually {@link ReportSink#all} of the registered outputs) as it
 * is taken, so memory holds the model and the live pointers, never the trace.
 */
public final class ReplaySession {

    private final ReplayOptions options;
    private final ReportSink sink;
    /** {@link ReplayOptions#checkAddresses}, tested before the call: the model's step has no inlining to spare. */
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
    /**
     * True when the batches carry {@link EventBatch#slot pointer slots} ({@link #usePointerSlots}): then every
     * MEM/OBJ pointer finds its block in {@link #blockOfSlot}, and neither {@link #byAddress} nor {@link #live} is
     * used.
     */
    private boolean bySlot;
    /** The block bound to each pointer slot, {@link Block#NONE} for none. */
    private long[] blockOfSlot = new long[0];
    /** Live RAW-domain pointers and their sizes: counted, never simulated. */
    private final PointerMap rawDomain = new PointerMap(-1);
    private long rawDomainBytes;
    /** Arenas the real allocator mapped (any size), for spotting arena_free of unknown ones. */
    private final LongOpenHashSet realArenas = new LongOpenHashSet();
    private long realArenaRows;
    private final AnomalyLog anomalies = new AnomalyLog();
    /** The run-wide numbers, over every event (the timeline's running peaks). */
    private final RunSummary summary = new RunSummary();
    /** The numbers frozen at the {@code exit} mark: the program's, without the interpreter's shutdown. */
    private RunSummary atExit;
    private Snapshot exit;
    /**
     * The state at the first event at which M reached its maximum so far. M grows only when an arena is mapped,
     * so this is retaken once per new highest arena count, never per event; it stops at {@code exit}.
     */
    private Snapshot peak;
    /**
     * Work the Mesh counts of the peak and of the marks may still do ({@link Meshing#count}): an allowance, and
     * more with every event replayed, so that they cost at most a constant per event in all. On a trace that maps
     * arenas one after another a few thousand events apart, a Mesh pass at every new arena count would cost the
     * square of the arenas, and so would a mark in every loop of a large heap; past the budget a snapshot goes
     * without (its mesh_pools empty) and the work is saved for later ones. exit and end always get theirs.
     */
    private long meshBudget = MESH_ALLOWANCE;
    private long meshBudgetAt;
    /** The allocation clock: bytes requested by MEM and OBJ allocations so far (a realloc, its new size). */
    private long allocated;
    private final Timeline timeline;
    private long events;
    private long lastClock;
    private final boolean hasTime;
    /** The profile's ARENA_SIZE, for M after every event. */
    private final long arenaSize;
    private long addressesChecked;
    private long addressesExact;
    private AddressCheck.Mismatch firstMismatch;
    private int marks;
    private final long start;
    /**
     * For a trace with call sites: their names, the live blocks per site, and the leading sites over time; all
     * null without sites, when events take {@link #replay} alone and the model carries no sites at all.
     */
    private final SiteNames siteNames;
    private final SiteLedger siteLedger;
    private final SiteTimeline siteTimeline;
    /** Blocks the call-site walks of the marks may still visit: as {@link #meshBudget}, for sites. */
    private long siteBudget = SITE_ALLOWANCE;
    private long siteBudgetAt;
    /** A few hundred milliseconds of walking at the start (16 million blocks)... */
    private static final long SITE_ALLOWANCE = 1L << 24;
    /** ... and this many blocks more per event replayed. */
    private static final long SITE_WORK_PER_EVENT = 8;
    /** See {@link #meshBudget}: a few milliseconds of Mesh work at the start... */
    private static final long MESH_ALLOWANCE = 1L << 24;
    /** ... and this much more per event replayed (block entries read: a small fraction of the event's cost). */
    private static final long MESH_WORK_PER_EVENT = 32;

    /**
     * Starts a replay; {@code hasTime} tells whether rows carry a time ({@code ns}), else the event index is the
     * clock.
     */
    public ReplaySession(ReplayOptions options, boolean hasTime, ReportSink sink) {
        this(options, hasTime, sink, null);
    }

    /**
     * Starts a replay of a trace with call sites named by {@code sites} (null: a trace without them), whose
     * events carry their site in {@link EventBatch#site}.
     */
    public ReplaySession(ReplayOptions options, boolean hasTime, ReportSink sink, SiteNames sites) {
        this.options = options;
        this.siteNames = sites;
        this.siteLedger = sites == null ? null : new SiteLedger();
        this.siteTimeline = sites == null ? null : new SiteTimeline();
        this.hasTime = hasTime;
        this.sink = sink;
        this.checkAddresses = options.checkAddresses();
        this.allocator = new Allocator(options.profile(), options.policies());
        this.arenaSize = options.profile().arenaSize();
        this.timeline = new Timeline(options.samples());
        this.start = System.nanoTime();
        sample();
    }

    /**
     * Makes this replay find blocks by the {@link EventBatch#slot pointer slots} every batch will carry, given once
     * for many models ({@link PointerSlots}), instead of by address or in a map of its own; before the first batch.
     * The results are the same.
     */
    void usePointerSlots() {
        if (events != 0) {
            throw new IllegalStateException("pointer slots are for a replay from its start");
        }
        bySlot = true;
        byAddress = false;
    }

    /** Returns the events replayed so far. */
    public long events() {
        return events;
    }

    /** Returns the blocks live now, for a message: small, raw-served and RAW-domain. */
    public long allLiveBlocks() {
        return liveBlocks() + allocator.rawBlocks() + rawDomain.size();
    }

    /** Returns the timeline samples kept so far. */
    public int timelineRows() {
        return timeline.size();
    }

    /** Returns the model, for tests and checks that inspect it after a replay. */
    public Allocator allocator() {
        return allocator;
    }

    /**
     * Replays a batch of events; marks and samples go to the sink as they are taken. A byte count that would
     * pass 2^63 - 1 (live blocks of sizes no 64-bit process can hold at once) stops the replay at its line: a
     * sum that cannot be represented is never reported as a wrong one.
     */
    public void accept(EventBatch b) throws IOException {
        if (siteLedger == null) {
            replayAll(b);
        } else {
            replayAllWithSites(b);
        }
        sink.onProgress(events);
    }

    /*
     * One loop a method: C2 compiles a hot loop with all it calls inlined, and one method holding both loops had it
     * compile the model twice over, each time the method was compiled (and again after every deoptimization),
     * while the replay ran in slower code.
     */

    private void replayAll(EventBatch b) throws IOException {
        int i = 0;
        try {
            for (; i < b.count; i++) {
                replay(b, i);
            }
        } catch (ArithmeticException overflow) {
            throw overflow(overflow, b, i);
        }
    }

    private void replayAllWithSites(EventBatch b) throws IOException {
        int i = 0;
        try {
            for (; i < b.count; i++) {
                replayWithSite(b, i);
            }
        } catch (ArithmeticException overflow) {
            throw overflow(overflow, b, i);
        }
    }

    private static RuntimeException overflow(ArithmeticException overflow, EventBatch b, int i) {
        if (!"long overflow".equals(overflow.getMessage())) {
            return overflow;  // Math.addExact's, and no other
        }
        return new SizeOverflowException(b.line(i), b.size[i]);
    }

    /** Ends the replay: takes the final snapshot and returns the run's result for the reports. */
    public RunResult finish(String trace, String profileNote, long skippedRows) {
        Snapshot end = withSites(snapshot(Snapshot.END, hasTime ? lastClock : -1, 0,
                Meshing.releasablePools(allocator)), true);
        timeline.addFinal(sampleRow());
        if (siteTimeline != null) {
            List<SiteTimeline.Sample> taken = siteTimeline.samples();
            if (taken.isEmpty() || taken.get(taken.size() - 1).event() != events) {
                siteTimeline.add(events, hasTime ? lastClock : -1, siteLedger, timeline);
            }
            siteTimeline.finish(timeline, siteNames);
        }
        return new RunResult(trace, profileNote, end, exit, peak, timeline, exit != null ? atExit : summary,
                anomalies, events, System.nanoTime() - start, marks, skippedRows, siteTimeline);
    }

    /**
     * Adds the call-site attribution to a snapshot, when the trace has sites: at marks and at the end, not at the
     * peak, which is retaken at every new highest arena count and would walk the live blocks as often. A walk over
     * the live blocks at every mark of a loop over a large heap would cost the square of the run, so marks share a
     * budget as the Mesh counts do ({@link #siteBudget}); {@code always} for {@code exit} and the end.
     */
    private Snapshot withSites(Snapshot s, boolean always) {
        if (siteNames == null) {
            return s;
        }
        siteBudget += SITE_WORK_PER_EVENT * (events - siteBudgetAt);
        siteBudgetAt = events;
        long work = liveBlocks();
        if (!always && work > siteBudget) {
            return s;  // this mark goes without; sites.csv has no rows for it
        }
        siteBudget -= work;
        return s.withSites(SiteAttribution.take(allocator, options.pinnedBelow(), siteNames));
    }

    private long liveBlocks() {
        long n = 0;
        for (int c = 0; c < allocator.sizeClasses(); c++) {
            n += allocator.liveBlocks(c);
        }
        return n;
    }

    /** Returns what verify checks: how many small blocks landed at the trace's address. */
    public AddressCheck addressCheck() {
        return new AddressCheck(addressesChecked, addressesExact, firstMismatch, realArenaRows);
    }

    /** Replays event {@code i} of a batch; public so that benchmarks and tests can drive the model directly. */
    public void replay(EventBatch b, int i) throws IOException {
        step(b, i);
        account(b, i);
    }

    /**
     * The event's effect on the model. Kept apart from {@link #account}: C2 inlines at most so much into one
     * method (DesiredMethodLimit), and with the model's malloc, free and lookups inlined here, the accounting
     * after them was left as eight calls an event (-XX:+PrintInlining showed it).
     */
    private void step(EventBatch b, int i) throws IOException {
        long ptr = b.ptr[i];
        byte op = b.op[i];
        // Not a switch: C2 compiles the cases no event has reached yet as traps, and an op first met halfway
        // through a trace (a calloc, an arena_free, a mark) made it throw this method away and compile it
        // again. Arena rows and marks leave by the branch the trace's first row, an arena_alloc, takes.
        if (op <= Op.CALLOC) {  // ALLOC or CALLOC
            long size = b.size[i];
            if (b.domain[i] == Domain.RAW) {
                rawAlloc(b, i, ptr, size);
            } else {
                allocated = Math.addExact(allocated, size);  // the allocation clock: see accept
                if (byAddress && allocator.isNextAddress(size, ptr) && !live.mightContain(ptr)
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
            }
        } else if (op == Op.FREE) {
            if (b.domain[i] == Domain.RAW) {
                rawFree(b, i, ptr, Anomaly.FREE_OF_UNKNOWN);
            } else {
                long block = take(b, i, ptr);
                if (block == Block.NONE) {
                    anomaly(Anomaly.FREE_OF_UNKNOWN, b, i, ptr);
                } else {
                    allocator.free(block);
                }
            }
        } else if (op == Op.REALLOC) {
            realloc(b, i, ptr);
        } else {
            arenaOrMark(b, i, ptr);
        }
    }

    /** The rare rows: arena_alloc, arena_free and mark. */
    private void arenaOrMark(EventBatch b, int i, long ptr) throws IOException {
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
                    anomaly(Anomaly.ARENA_FREE_OF_UNKNOWN, b, i, ptr);
                }
            }
            case Op.MARK -> {
                marks++;
                boolean isExit = exit == null && Snapshot.EXIT.equals(b.label[i]);
                Snapshot s = withSites(snapshot(b.label[i], b.ns[i], b.line(i),
                        isExit ? Meshing.releasablePools(allocator) : meshWithinBudget()), isExit);
                if (isExit) {
                    // The program's code has finished: what follows is the interpreter's shutdown, which frees
                    // most of what the program held. The headline numbers describe the program, so they stop here.
                    exit = s;
                    atExit = summary.copy();
                }
                sink.onMark(s);
            }
            default -> throw new IllegalStateException("unknown op " + b.op[i]);
        }
    }

    /** Counts the event and folds the model's new state into the run summary and the timeline. */
    private void account(EventBatch b, int i) {
        events++;
        long clock = hasTime ? b.ns[i] : events;
        lastClock = clock;
        long arenaBytes = allocator.narenasCurrentlyAllocated() * arenaSize;
        if (summary.update(allocated, clock, allocator.requestedBytes(), arenaBytes) && exit == null
                && arenaBytes > 0) {
            peak(b, i);
        }
        if (timeline.due(events)) {
            sampleAt(clock);
        }
    }

    /** A timeline sample is due: taken, and handed to the sinks (apart from {@link #account}, which runs per event). */
    private void sampleAt(long clock) {
        sample();
        if (siteTimeline != null) {
            siteTimeline.add(events, hasTime ? clock : -1, siteLedger, timeline);
        }
        sink.onSample(events, clock, allocator);
    }

    /**
     * {@link #replay} for a trace with call sites: the block an event releases or replaces leaves the site ledger
     * before the model's step, the block it makes gets its site (in its pool, {@link Allocator#setSite}) and joins
     * the ledger after it. A realloc gives the block the realloc's site, as tracemalloc does.
     */
    private void replayWithSite(EventBatch b, int i) throws IOException {
        byte op = b.op[i];
        if (op > Op.REALLOC || b.domain[i] == Domain.RAW) {
            replay(b, i);
            return;
        }
        long ptr = b.ptr[i];
        long after = op == Op.REALLOC ? b.newPtr[i] : ptr;
        if (bySlot) {
            leaveLedger(blockOfSlot(b.slot[i]));
            // A realloc onto a live pointer: its missed free. The same slot as ptr's means newPtr was not live (it got
            // the slot ptr just gave back), and that block is ptr's, which has left already.
            if (after != ptr && b.newSlot[i] != b.slot[i]) {
                leaveLedger(blockOfSlot(b.newSlot[i]));
            }
        } else {
            if (op > Op.CALLOC || !(byAddress && allocator.isNextAddress(b.size[i], ptr) && !live.mightContain(ptr)
                    && !allocator.arenasOverlapped())) {
                leaveLedger(peek(ptr));  // (an alloc at the address the model hands out next needs no look: it is free)
            }
            if (after != ptr) {
                leaveLedger(peek(after));  // a realloc onto a live pointer: its missed free
            }
        }
        step(b, i);
        if (op != Op.FREE) {
            long block = bySlot ? blockOfSlot(op == Op.REALLOC ? b.newSlot[i] : b.slot[i]) : peek(after);
            if (block != Block.NONE && !Block.isRaw(block)) {
                int site = b.site[i];
                allocator.setSite(block, site);
                siteLedger.add(site, allocator.blockBytes(block), Block.requestedSize(block));
            }
        }
        account(b, i);
    }

    private void leaveLedger(long block) {
        if (block != Block.NONE && !Block.isRaw(block)) {
            siteLedger.remove(allocator.site(block), allocator.blockBytes(block), Block.requestedSize(block));
        }
    }

    /** Returns the block {@code ptr} names, or {@link Block#NONE}; like {@link #take}, but it stays bound. */
    private long peek(long ptr) {
        if (!byAddress) {
            return live.get(ptr);
        }
        long block = allocator.blockAt(ptr);
        if (block != Block.NONE || !live.mightContain(ptr)) {
            return block;
        }
        return live.get(ptr);
    }

    /**
     * M has just reached a new maximum, which happens once per new highest arena count: the state after this
     * event is the peak so far. Its Mesh count is computed within {@link #meshBudget}.
     */
    private void peak(EventBatch b, int i) {
        peak = snapshot(Snapshot.PEAK, hasTime ? b.ns[i] : -1, b.line(i), meshWithinBudget());
    }

    /** Returns the Mesh count now, or {@link Meshing#UNKNOWN} when it would cost more than {@link #meshBudget}. */
    private int meshWithinBudget() {
        meshBudget += MESH_WORK_PER_EVENT * (events - meshBudgetAt);
        meshBudgetAt = events;
        Meshing.Count mesh = Meshing.count(allocator, meshBudget);
        meshBudget -= mesh.work();
        return mesh.pools();
    }

    /** Takes a full snapshot now. */
    private Snapshot snapshot(String label, long ns, long line, int meshPools) {
        return Snapshot.take(allocator, label, events, ns, line, options.pinnedBelow(), meshPools,
                rawDomain.size(), rawDomainBytes);
    }

    /** An alloc that step's shortcut does not take: its pointer is looked up first (it may be live), then bound. */
    private void alloc(EventBatch b, int i, long ptr, long size) {
        long old = take(b, i, ptr);
        if (old != Block.NONE) {
            anomaly(Anomaly.ALLOC_OF_LIVE, b, i, ptr);
            allocator.free(old);
        }
        long block = allocator.malloc(size);
        if (bySlot) {
            bindSlot(b.slot[i], block);
        } else {
            bindUnbound(ptr, block);
        }
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
        allocated = Math.addExact(allocated, size);
        long block = take(b, i, ptr);
        long moved;
        if (block == Block.NONE) {
            anomaly(Anomaly.REALLOC_OF_UNKNOWN, b, i, ptr);
            moved = allocator.malloc(size);
        } else {
            moved = allocator.realloc(block, size);
        }
        if (newPtr == ptr && !bySlot) {
            bindUnbound(newPtr, moved);  // resized in place: the pointer was just unbound
        } else {
            long old = bySlot ? bindSlot(b.newSlot[i], moved) : bind(newPtr, moved);
            if (old != Block.NONE) {
                anomaly(Anomaly.ALLOC_OF_LIVE, b, i, newPtr);
                allocator.free(old);
            }
        }
        if (checkAddresses) {
            check(b, i, moved, newPtr);
        }
    }

    /** Returns the block bound to a pointer slot (-1: a pointer not bound), or {@link Block#NONE}. */
    private long blockOfSlot(int slot) {
        return slot < 0 || slot >= blockOfSlot.length ? Block.NONE : blockOfSlot[slot];
    }

    /** Unbinds event {@code i}'s pointer and returns its block, or {@link Block#NONE}: by slot or by pointer. */
    private long take(EventBatch b, int i, long ptr) {
        if (!bySlot) {
            return take(ptr);
        }
        long block = blockOfSlot(b.slot[i]);
        if (block != Block.NONE) {
            blockOfSlot[b.slot[i]] = Block.NONE;
        }
        return block;
    }

    /** {@link #bind} by pointer slot. */
    private long bindSlot(int slot, long block) {
        if (slot >= blockOfSlot.length) {
            int old = blockOfSlot.length;
            blockOfSlot = java.util.Arrays.copyOf(blockOfSlot, Math.max(1 << 10, Math.max(slot + 1, 2 * old)));
            java.util.Arrays.fill(blockOfSlot, old, blockOfSlot.length, Block.NONE);
        }
        long old = blockOfSlot[slot];
        blockOfSlot[slot] = block;
        return old;
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
            anomaly(unknown, b, i, ptr);
        } else {
            rawDomainBytes -= size;
        }
    }

    private void rawAlloc(EventBatch b, int i, long ptr, long size) {
        long old = rawDomain.put(ptr, size);
        if (old >= 0) {
            anomaly(Anomaly.ALLOC_OF_LIVE, b, i, ptr);
            rawDomainBytes -= old;
        }
        rawDomainBytes = Math.addExact(rawDomainBytes, size);  // see accept: no sum is ever wrapped round
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
            firstMismatch = new AddressCheck.Mismatch(b.line(i), Op.name(b.op[i]), ptr, got);
        }
    }

    private void anomaly(Anomaly kind, EventBatch b, int i, long ptr) {
        AnomalyLog.Entry e = anomalies.add(kind, b.line(i), b.pointerText(i, ptr));
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
            summary.peakArenaBytes(), f.rawBytes(), rawDomainBytes, allocated
        };
    }
}
