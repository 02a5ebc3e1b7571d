package pyalloc.trace.binary;

import static pyalloc.trace.binary.BinaryFormat.GAP;
import static pyalloc.trace.binary.BinaryFormat.LABEL;
import static pyalloc.trace.binary.BinaryFormat.NEW_PTR;
import static pyalloc.trace.binary.BinaryFormat.NS;
import static pyalloc.trace.binary.BinaryFormat.PTR;
import static pyalloc.trace.binary.BinaryFormat.SITE_ID;
import static pyalloc.trace.binary.BinaryFormat.SIZE;
import static pyalloc.trace.binary.BinaryFormat.STREAMS;

import java.nio.charset.StandardCharsets;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Op;

/**
 * Encodes events into one block's event data (docs/trace-format.md, "Blocks"): a tag per event, and each field
 * in its stream. The deltas start afresh in every block, so a block decodes without the ones before it; only
 * the line count runs through the whole trace.
 */
final class BlockEncoder {
    private final boolean hasTime;
    private final ByteSink tags = new ByteSink(1 << 16);
    private final ByteSink[] streams = new ByteSink[STREAMS];
    private int count;
    private long prevPtr;
    private long prevNs;
    /** The line of the last event encoded, in the whole trace (0 before the first). */
    private long lastLine;

    BlockEncoder(boolean hasTime) {
        this.hasTime = hasTime;
        for (int s = 0; s < STREAMS; s++) {
            streams[s] = new ByteSink(s == PTR ? 1 << 18 : 1 << 16);
        }
        reset();
    }

    private void reset() {
        tags.clear();
        for (ByteSink s : streams) {
            s.clear();
        }
        count = 0;
        prevPtr = 0;
        prevNs = EventBatch.NO_NS;
    }

    int count() {
        return count;
    }

    /** Returns the bytes encoded so far, to cut blocks of a bounded size. */
    int bytes() {
        int n = tags.length;
        for (ByteSink s : streams) {
            n += s.length;
        }
        return n;
    }

    /** Adds event {@code i} of {@code b}; {@code site} is its site id, or 0 for none. */
    void add(EventBatch b, int i, long site) {
        int op = b.op[i];
        long line = b.line(i);
        long gap = Math.max(0, line - lastLine - 1);
        lastLine = Math.max(line, lastLine + 1);
        tags.put(op | b.domain[i] << BinaryFormat.TAG_DOMAIN_SHIFT | (site != 0 ? BinaryFormat.TAG_SITE : 0)
                | (gap != 0 ? BinaryFormat.TAG_GAP : 0));
        if (BinaryFormat.hasPtr(op)) {
            long ptr = b.ptr[i];
            streams[PTR].pointerDelta(ptr, prevPtr);
            prevPtr = ptr;
        }
        if (BinaryFormat.hasSize(op)) {
            streams[SIZE].varint(b.size[i]);
        }
        if (op == Op.REALLOC) {
            long newPtr = b.newPtr[i];
            streams[NEW_PTR].pointerDelta(newPtr, b.ptr[i]);
            prevPtr = newPtr;
        }
        if (hasTime) {
            long ns = b.ns[i];
            streams[NS].varint(ns - prevNs);  // never negative: times never decrease, and NO_NS is -1
            prevNs = ns;
        }
        if (op == Op.MARK) {
            streams[LABEL].string(b.label[i].getBytes(StandardCharsets.UTF_8));
        }
        if (site != 0) {
            streams[SITE_ID].varint(site);
        }
        if (gap != 0) {
            streams[GAP].varint(gap);
        }
        count++;
    }

    /** Appends the block's event data (stream lengths, tags, streams) to {@code out} and starts a new block. */
    void drainTo(ByteSink out) {
        for (ByteSink s : streams) {
            out.varint(s.length);
        }
        out.put(tags);
        for (ByteSink s : streams) {
            out.put(s);
        }
        reset();
    }
}
