package pyalloc.replay;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import pyalloc.stats.RunResult;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Failures;
import pyalloc.trace.InOrderReader;
import pyalloc.trace.PrefetchingReader;
import pyalloc.trace.TraceFormatException;
import pyalloc.trace.TraceReader;

/**
 * One read of a trace replayed through many models side by side, after the Caffeine simulator's {@code PolicyActor}:
 * the reading thread copies each batch once into a pool of shared copies (the reader refills its own batch at the
 * next call), and hands the copy to every actor, a thread replaying a group of sessions; the last actor done with a
 * copy returns it to the pool. The pool is the bounded mailbox: the reader waits when every copy is still being
 * replayed, so memory stays at a few batches whatever the trace. The first failure of an actor stops the read and
 * the other actors, and is rethrown on the caller's thread.
 *
 * <p>Each session sees exactly the events, in the order, a replay of its own would: the results are the same.
 */
final class Broadcast {

    /** A batch copy shared by the actors; {@link #pending} counts those that have not replayed it yet. */
    private static final class Shared {
        final EventBatch batch;
        final AtomicInteger pending = new AtomicInteger();

        Shared(int capacity) {
            batch = new EventBatch(capacity);
        }
    }

    /** Events a copy holds when the copies are filled by the reader itself. */
    private static final int BATCH = 1 << 14;
    /** Tells an actor the trace has ended. */
    private static final Shared END = new Shared(1);
    /** Wakes the reading thread when an actor has failed. */
    private static final Shared FAILED = new Shared(1);

    private final String trace;
    private final List<Configuration> configurations;
    private final int threads;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private BlockingQueue<Shared> free;
    private volatile long skippedRows;
    /** Pointer slots for the sessions that find blocks by pointer, or null when none does. */
    private PointerSlots slots;

    /**
     * Prepares a broadcast of {@code trace} to the sessions of {@code configurations}, on {@code threads} actor
     * threads at most (1: every session replayed on the caller's thread, batch after batch, without copies).
     */
    Broadcast(String trace, List<Configuration> configurations, int threads) {
        this.trace = trace;
        this.configurations = configurations;
        this.threads = Math.max(1, Math.min(threads, configurations.size()));
    }

    /** A thread replaying a group of sessions, batch by batch, from its mailbox. */
    private final class Actor extends Thread {
        final BlockingQueue<Shared> mailbox;
        final List<Integer> indexes = new ArrayList<>();
        final List<ReplaySession> sessions = new ArrayList<>();
        final RunResult[] results;

        Actor(int id, int capacity, RunResult[] results) {
            super("pyalloc-model-" + id);
            setDaemon(true);
            this.mailbox = new ArrayBlockingQueue<>(capacity + 1);
            this.results = results;
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Shared s = mailbox.take();
                    if (s == END) {
                        finish(sessions, indexes, results, skippedRows);
                        return;
                    }
                    for (ReplaySession session : sessions) {
                        session.accept(s.batch);
                    }
                    if (s.pending.decrementAndGet() == 0) {
                        free.add(s);
                    }
                }
            } catch (InterruptedException e) {
                // stopped: another actor or the reader failed, and its failure is the one reported
            } catch (OutOfMemoryError e) {
                fail(new HeapExhaustedException(trace + ": the live blocks of " + configurations.size() + " models"));
            } catch (SizeOverflowException e) {
                fail(new TraceFormatException(trace, e.line(), e.getMessage()));
            } catch (Throwable t) {
                fail(t);
            }
        }
    }

    private void fail(Throwable t) {
        if (failure.compareAndSet(null, t)) {
            free.offer(FAILED);  // wakes the reader if it waits for a copy; it checks the failure at each batch
        }
    }

    /** Replays every batch of {@code reader} through every session; returns the results in configuration order. */
    List<RunResult> run(TraceReader reader, boolean hasTime, LongConsumer progress) throws IOException {
        RunResult[] results = new RunResult[configurations.size()];
        List<ReplaySession> sessions = new ArrayList<>();
        try {
            for (Configuration c : configurations) {
                // Call sites too: the reader's site table is synchronized, and names are read at marks and at the end.
                ReplaySession session = new ReplaySession(c.options(), hasTime, c.sink(),
                        reader.sites().map(Replay::names).orElse(null));
                if (!PointerSlots.isRecording(c.options(), reader.header())) {
                    // Another configuration than the recording's: its blocks are not at the trace's addresses, so
                    // it finds them by pointer, through the slots given once here for all such sessions.
                    session.usePointerSlots();
                    if (slots == null) {
                        slots = new PointerSlots();
                    }
                }
                sessions.add(session);
            }
            if (threads == 1) {
                return inline(reader, sessions, results, progress);
            }
            return broadcast(reader, sessions, results, progress);
        } catch (OutOfMemoryError e) {
            throw new HeapExhaustedException(trace + ": the live blocks of " + configurations.size() + " models");
        } catch (SizeOverflowException e) {
            throw new TraceFormatException(trace, e.line(), e.getMessage());
        }
    }

    private List<RunResult> inline(TraceReader reader, List<ReplaySession> sessions, RunResult[] results,
            LongConsumer progress) throws IOException {
        long events = 0;
        for (EventBatch b; (b = reader.next()) != null; ) {
            if (slots != null) {
                slots.assign(b);
            }
            for (ReplaySession s : sessions) {
                s.accept(b);
            }
            events += b.count;
            progress.accept(events);
        }
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            all.add(i);
        }
        finish(sessions, all, results, reader.skippedRows());
        return List.of(results);
    }

    private List<RunResult> broadcast(TraceReader reader, List<ReplaySession> sessions, RunResult[] results,
            LongConsumer progress) throws IOException {
        int copies = threads + 4;
        free = new ArrayBlockingQueue<>(copies + 1);
        List<Actor> actors = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            actors.add(new Actor(t, copies, results));
        }
        for (int i = 0; i < sessions.size(); i++) {
            Actor a = actors.get(i % threads);  // round robin: groups of about equal work
            a.indexes.add(i);
            a.sessions.add(sessions.get(i));
        }
        boolean ended = false;
        try {
            actors.forEach(Thread::start);
            long events = 0;
            int made = 0;
            // A reader that would run ahead on a thread of its own is read here instead, straight into the copies:
            // the models keep both cores busy, and a copy of every batch is saved.
            InOrderReader direct = reader instanceof PrefetchingReader p ? p.takeOver() : null;
            while (failure.get() == null) {
                EventBatch b = direct == null ? reader.next() : null;
                if (direct == null && b == null) {
                    break;
                }
                Shared s = free.poll();
                if (s == null && made < copies) {
                    s = new Shared(b == null ? BATCH : b.capacity());
                    made++;
                } else if (s == null) {
                    s = free.take();
                }
                if (s == FAILED) {
                    break;
                }
                if (direct != null) {
                    if (direct.fill(s.batch) == 0) {
                        free.add(s);
                        break;
                    }
                } else {
                    if (s.batch.capacity() < b.count) {
                        s = new Shared(b.capacity());  // the reader's batches grew: this copy is replaced
                    }
                    copy(b, s.batch);
                }
                b = s.batch;
                if (slots != null) {
                    slots.assign(b);
                }
                s.pending.set(threads);
                for (Actor a : actors) {
                    a.mailbox.add(s);  // never full: a mailbox holds every copy and the end
                }
                events += b.count;
                progress.accept(events);
            }
            if (failure.get() == null) {
                skippedRows = reader.skippedRows();
                for (Actor a : actors) {
                    a.mailbox.add(END);
                }
                ended = true;
                for (Actor a : actors) {
                    a.join();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while replaying the trace");
        } finally {
            if (!ended || failure.get() != null) {
                stop(actors);
            }
        }
        Throwable t = failure.get();
        if (t != null) {
            Failures.rethrow(t);
        }
        return List.of(results);
    }

    /** Interrupts the actors and waits for them: nothing may still write into a report once the run has failed. */
    private static void stop(List<Actor> actors) {
        actors.forEach(Thread::interrupt);
        boolean interrupted = false;
        for (Actor a : actors) {
            while (a.isAlive()) {
                try {
                    a.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends each session: its final snapshot, its result, its outputs' end. */
    private void finish(List<ReplaySession> sessions, List<Integer> indexes, RunResult[] results, long skipped)
            throws IOException {
        for (int k = 0; k < sessions.size(); k++) {
            int i = indexes.get(k);
            Configuration c = configurations.get(i);
            RunResult r = sessions.get(k).finish(trace, c.profileNote(), skipped);
            c.sink().onEnd(r);
            results[i] = r;
        }
    }

    /** Copies the events of {@code from} into {@code to}: the reader will refill {@code from}. */
    private static void copy(EventBatch from, EventBatch to) {
        int n = from.count;
        System.arraycopy(from.op, 0, to.op, 0, n);
        System.arraycopy(from.domain, 0, to.domain, 0, n);
        System.arraycopy(from.ptr, 0, to.ptr, 0, n);
        System.arraycopy(from.newPtr, 0, to.newPtr, 0, n);
        System.arraycopy(from.size, 0, to.size, 0, n);
        System.arraycopy(from.ns, 0, to.ns, 0, n);
        System.arraycopy(from.line, 0, to.line, 0, n);
        System.arraycopy(from.label, 0, to.label, 0, n);
        System.arraycopy(from.site, 0, to.site, 0, n);  // stale without sites: then nobody reads it
        if (from.written != null) {  // what the trace wrote for symbolic pointers, for anomaly messages
            if (to.written == null || to.written.length < n) {
                to.written = new EventBatch.Written[to.capacity()];
            }
            System.arraycopy(from.written, 0, to.written, 0, n);
        }
        to.lineBase = from.lineBase;
        to.count = n;
    }
}
