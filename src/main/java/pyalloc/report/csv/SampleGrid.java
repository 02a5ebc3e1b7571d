package pyalloc.report.csv;

/**
 * Which of the timeline's samples an over-time table keeps: those at every {@code stride}-th event, the stride
 * doubling whenever {@code capacity} columns are kept, so that between half of it and all of it remain, evenly
 * spaced, whatever the trace's length. The timeline samples at every multiple of its own stride, a power of two
 * no larger than this one while the timeline keeps more samples than this grid, so every multiple of this
 * stride is offered.
 */
final class SampleGrid {
    private final int capacity;
    private long stride = 1;
    private int kept;

    SampleGrid(int capacity) {
        this.capacity = capacity;
    }

    /** Returns true when the sample after event {@code event} belongs to the grid. */
    boolean wants(long event) {
        return event % stride == 0;
    }

    /** Counts a column added; returns true when the grid is full and every other column must go. */
    boolean added() {
        if (++kept < capacity) {
            return false;
        }
        stride *= 2;
        return true;
    }

    /** Returns true when a column kept so far stays after {@link #added} asked to thin (the stride has doubled). */
    boolean keeps(long event) {
        return event % stride == 0;
    }

    /** Records how many columns remain after thinning. */
    void thinnedTo(int columns) {
        kept = columns;
    }
}
