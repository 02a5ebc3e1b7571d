package pyalloc.stats;

/**
 * One size class at one moment: a row of CPython's class table plus the ratios of metrics.md.
 *
 * @param sizeClass   class index ({@code szidx})
 * @param blockSize   bytes per block
 * @param pools       pools with at least one block ("num pools")
 * @param blocksInUse blocks allocated ("blocks in use")
 * @param availBlocks free and never-carved blocks of those pools ("avail blocks")
 */
public record ClassStats(int sizeClass, int blockSize, long pools, long blocksInUse, long availBlocks) {

    /** util_c = blocks in use / (pools × blocks per pool); NaN without pools. */
    public double util() {
        long capacity = blocksInUse + availBlocks;
        return capacity == 0 ? Double.NaN : (double) blocksInUse / capacity;
    }

    public long bytesInUse() {
        return blocksInUse * blockSize;
    }

    public long availBytes() {
        return availBlocks * blockSize;
    }
}
