package pyalloc.obmalloc;

/**
 * Entries by window number (an address shifted right by a mapping's size in bits): a plain array around the windows
 * in use, grown on both sides as entries come, so that finding the mapping of an address costs an array load. Arenas
 * come from one mmap area, so the array stays short; a window that would stretch it past {@link #MAX_WINDOWS} is
 * refused, and the owner keeps that entry elsewhere or not at all.
 *
 * @param <T> what a window holds
 */
public final class WindowTable<T> {
    /** The longest the array may grow. */
    public static final int MAX_WINDOWS = 1 << 20;

    private Object[] table = new Object[0];
    /** The window number of entry 0. */
    private long first;

    /** Returns the entry of {@code window}, or null. */
    @SuppressWarnings("unchecked")
    public T get(long window) {
        long i = window - first;
        return i >= 0 && i < table.length ? (T) table[(int) i] : null;
    }

    /**
     * Sets the entry of {@code window} (null clears it), growing the array to hold it and the window after; returns
     * false, changing nothing, when that would make the array longer than {@link #MAX_WINDOWS}, or for a negative
     * window.
     */
    public boolean put(long window, T value) {
        if (window < 0 || !fit(window)) {  // windows are addresses shifted right: never negative but at shift 0
            return false;
        }
        table[(int) (window - first)] = value;
        return true;
    }

    private boolean fit(long window) {
        long from = table.length == 0 ? window : Math.min(first, window);
        long to = table.length == 0 ? window + 2 : Math.max(first + table.length, window + 2);
        if (to - from > MAX_WINDOWS || to < from) {
            return false;
        }
        if (table.length == 0 || from != first || to - from > table.length) {
            int length = (int) Math.min(MAX_WINDOWS, Math.max(to - from, 2L * table.length));
            from = Math.max(from - (length - (to - from)) / 2, 0);  // room on both sides
            Object[] grown = new Object[length];
            if (table.length > 0) {
                System.arraycopy(table, 0, grown, (int) (first - from), table.length);
            }
            table = grown;
            first = from;
        }
        return true;
    }
}
