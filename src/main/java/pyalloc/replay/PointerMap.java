package pyalloc.replay;


/**
 * Live pointer to block handle: the one lookup every event makes, sized by the live set.
 *
 * <p>Open addressing with linear probing and backward-shift deletion, like fastutil's
 * {@code Long2LongOpenHashMap} (which this replaced), but each key sits next to its value in one array: a
 * lookup in a map larger than the caches costs one miss instead of two. On the 85-million-event service
 * trace that was the model's largest cost (JFR: {@code Long2LongOpenHashMap.remove}, 40 % of its samples).
 */
final class PointerMap {
    private static final int MIN_SLOTS = 1 << 10;
    private final long missing;
    /** key, value, key, value, ...; a free slot has key {@link #FREE}. */
    private long[] table;
    private int mask;
    private int shift;
    private int size;
    private static final long FREE = 0;
    /** Key 0 cannot live in the table (it marks free slots): it has a slot of its own. */
    private boolean hasZero;
    private long zeroValue;
    /**
     * Keys per bucket of a hash finer than the table's, saturating at {@link #SATURATED}: a bucket at 0 proves a
     * key absent by one load and a branch that is almost always taken. A probe of the table ends at an
     * occupied or a free slot about as often as not (load up to one half), and that mispredicted branch cost
     * the model a sixth of its time on the service trace, where almost every alloc asks whether its pointer is
     * a live block pymalloc declined.
     */
    private final byte[] buckets = new byte[1 << BUCKET_BITS];
    private static final int BUCKET_BITS = 14;
    private static final byte SATURATED = Byte.MAX_VALUE;

    /** Creates an empty map whose lookups return {@code missing} for absent keys. */
    PointerMap(long missing) {
        this.missing = missing;
        allocate(MIN_SLOTS);
    }

    private void allocate(int slots) {
        table = new long[slots * 2];
        mask = slots - 1;
        shift = 64 - Integer.numberOfTrailingZeros(slots);
    }

    /** Fibonacci hashing: pointers differ in their middle bits; the multiply spreads them to the top bits. */
    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }

    private static int bucket(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> (64 - BUCKET_BITS));
    }

    /** Returns false only when {@code key} is certainly absent; cheaper than a lookup when that is the rule. */
    boolean mightContain(long key) {
        return key == FREE ? hasZero : buckets[bucket(key)] != 0;
    }

    int size() {
        return size + (hasZero ? 1 : 0);
    }

    /** Returns the slot holding {@code key} (not 0), or {@code ~slot} of the free slot that ends its probe run. */
    private int find(long key) {
        long[] t = table;
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = t[2 * i];
            if (k == key) {
                return i;
            }
            if (k == FREE) {
                return ~i;
            }
        }
    }

    long get(long key) {
        if (key == FREE) {
            return hasZero ? zeroValue : missing;
        }
        int i = find(key);
        return i >= 0 ? table[2 * i + 1] : missing;
    }

    /** Associates {@code value} with {@code key}; returns the previous value or {@code missing}. */
    long put(long key, long value) {
        if (key == FREE) {
            long old = hasZero ? zeroValue : missing;
            hasZero = true;
            zeroValue = value;
            return old;
        }
        int i = find(key);
        if (i >= 0) {
            long old = table[2 * i + 1];
            table[2 * i + 1] = value;
            return old;
        }
        insert(~i, key, value);
        return missing;
    }

    /** Enters an absent key at {@code free}, the free slot that ended its probe run. */
    private void insert(int free, long key, long value) {
        table[2 * free] = key;
        table[2 * free + 1] = value;
        int bk = bucket(key);
        if (buckets[bk] != SATURATED) {
            buckets[bk]++;
        }
        if (++size > (mask + 1) >>> 1) {
            grow();  // keep the load under one half: probes stay short
        }
    }

    /**
     * Returns the value of {@code key} if it has one; else associates {@code value} with it and returns
     * {@code missing}: one probe where {@link #get} and then {@link #put} take two.
     */
    long putIfAbsent(long key, long value) {
        if (key == FREE) {
            if (hasZero) {
                return zeroValue;
            }
            hasZero = true;
            zeroValue = value;
            return missing;
        }
        int i = find(key);
        if (i >= 0) {
            return table[2 * i + 1];
        }
        insert(~i, key, value);
        return missing;
    }

    /** Removes {@code key}; returns its value or {@code missing}. */
    long remove(long key) {
        if (key == FREE) {
            long old = hasZero ? zeroValue : missing;
            hasZero = false;
            return old;
        }
        int i = find(key);
        if (i < 0) {
            return missing;
        }
        long[] t = table;
        long old = t[2 * i + 1];
        size--;
        int bk = bucket(key);
        if (buckets[bk] != SATURATED) {
            buckets[bk]--;  // a saturated bucket stays so: it no longer knows its count
        }
        // Backward shift: move later entries of the probe run into the hole so no lookup stops early.
        int hole = i;
        for (int j = (hole + 1) & mask; ; j = (j + 1) & mask) {
            long k = t[2 * j];
            if (k == FREE) {
                break;
            }
            int home = slot(k);
            // k may move to the hole unless its home lies cyclically in (hole, j].
            if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
                t[2 * hole] = k;
                t[2 * hole + 1] = t[2 * j + 1];
                hole = j;
            }
        }
        t[2 * hole] = FREE;
        return old;
    }

    private void grow() {
        long[] old = table;
        allocate((mask + 1) * 2);
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != FREE) {
                int j = find(old[i]);
                table[2 * ~j] = old[i];
                table[2 * ~j + 1] = old[i + 1];
            }
        }
    }

}
