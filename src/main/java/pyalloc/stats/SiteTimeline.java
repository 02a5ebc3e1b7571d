package pyalloc.stats;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The live bytes of the leading call sites over time, sampled with the {@link Timeline}: the data of
 * {@code site_timeline.csv} and its chart.
 *
 * <p>Which sites lead is known only at the end, and a sample cannot hold every site, so a site is followed from
 * the first sample where it is among the {@link #TOP} largest or holds at least {@link #SHARE} of the live
 * size-class bytes, at most {@link #MAX_FOLLOWED} sites in all; before that sample its bytes are unknown (and
 * were small). Samples the timeline drops when it halves are dropped here too.
 */
public final class SiteTimeline {
    public static final int TOP = 10;
    public static final double SHARE = 0.01;
    public static final int MAX_FOLLOWED = 64;

    /** One sample: the followed sites' values, in the order they began to be followed. */
    public record Sample(long event, long ns, long[] blocks, long[] blockBytes, long[] requestedBytes) {
    }

    private final IntArrayList followed = new IntArrayList();
    /** The column of each ledger slot that is followed, -1 for the others (a ledger's slots never move). */
    private int[] columnOfSlot = new int[0];
    private final List<Sample> samples = new ArrayList<>();
    private List<List<SiteFrame>> stacks = List.of();

    public SiteTimeline() {
    }

    /** Samples the ledger after event {@code event} ({@code ns} -1 without times); {@code timeline} has it too. */
    public void add(long event, long ns, SiteLedger ledger, Timeline timeline) {
        // Per sample, O(sites) and no garbage: the total, then the TOP largest by insertion into a short list.
        int slots = ledger.slots();
        long total = 0;
        int[] top = new int[TOP];
        int ranked = 0;
        for (int s = 0; s < slots; s++) {
            long bytes = ledger.blockBytes(s);
            total += bytes;
            if (bytes <= 0 || ranked == TOP && bytes <= ledger.blockBytes(top[TOP - 1])) {
                continue;
            }
            int at = ranked < TOP ? ranked++ : TOP - 1;
            while (at > 0 && ledger.blockBytes(top[at - 1]) < bytes) {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = s;
        }
        if (columnOfSlot.length < slots) {
            int old = columnOfSlot.length;
            columnOfSlot = Arrays.copyOf(columnOfSlot, Math.max(slots, 2 * old));
            Arrays.fill(columnOfSlot, old, columnOfSlot.length, -1);
        }
        for (int r = 0; r < ranked; r++) {
            follow(ledger, top[r]);
        }
        for (int s = 0; s < slots && followed.size() < MAX_FOLLOWED; s++) {
            if (ledger.blockBytes(s) > 0 && ledger.blockBytes(s) >= SHARE * total) {
                follow(ledger, s);
            }
        }
        int n = followed.size();
        long[] blocks = new long[n];
        long[] bytes = new long[n];
        long[] requested = new long[n];
        for (int s = 0; s < slots; s++) {
            int c = columnOfSlot[s];
            if (c >= 0) {
                blocks[c] = ledger.blocks(s);
                bytes[c] = ledger.blockBytes(s);
                requested[c] = ledger.requestedBytes(s);
            }
        }
        samples.add(new Sample(event, ns, blocks, bytes, requested));
        if (samples.size() > 4 * Math.max(16, timeline.size())) {
            keepOnly(timeline);
        }
    }

    private void follow(SiteLedger ledger, int slot) {
        if (followed.size() < MAX_FOLLOWED && columnOfSlot[slot] < 0) {
            columnOfSlot[slot] = followed.size();
            followed.add(ledger.site(slot));
        }
    }

    /** Drops the samples {@code timeline} no longer has. */
    private void keepOnly(Timeline timeline) {
        LongOpenHashSet events = new LongOpenHashSet();
        for (int r = 0; r < timeline.size(); r++) {
            events.add(timeline.get(r, Timeline.Field.EVENT));
        }
        samples.removeIf(s -> !events.contains(s.event()));
    }

    /** Ends the run: keeps the samples of the finished {@code timeline} and names the followed sites. */
    public void finish(Timeline timeline, SiteNames names) {
        keepOnly(timeline);
        List<List<SiteFrame>> s = new ArrayList<>();
        for (int i = 0; i < followed.size(); i++) {
            s.add(List.copyOf(names.stack(followed.getInt(i))));
        }
        stacks = List.copyOf(s);
    }

    /** Returns the followed sites, in the order they began to be followed. */
    public int[] followed() {
        return followed.toIntArray();
    }

    /** Returns the stack of the {@code i}-th followed site (after {@link #finish}). */
    public List<SiteFrame> stack(int i) {
        return stacks.get(i);
    }

    public List<Sample> samples() {
        return samples;
    }
}
