package pyalloc.report.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Report columns of doubles read exactly as the JDK's own "%.4f" writes them. */
final class CsvTableTest {

    private static void sameAsFormatter(double d) {
        assertEquals(String.format(Locale.ROOT, "%.4f", d), CsvTable.fixed4(d), () -> "for " + d);
    }

    @Property(tries = 5000)
    void anyRatioOrPercentage(@ForAll @DoubleRange(min = -1e6, max = 1e6) double d) {
        sameAsFormatter(d);
    }

    @Property(tries = 5000)
    void anyDouble(@ForAll double d) {
        if (Double.isFinite(d)) {
            sameAsFormatter(d);
        }
    }

    /** Ties and near-ties at the fifth decimal, where the two could round apart, over many magnitudes. */
    @Property(tries = 5000)
    void valuesAtTheRoundingEdge(@ForAll @IntRange(min = -2_000_000, max = 2_000_000) int tenThousandths,
            @ForAll @IntRange(min = -2, max = 2) int nudge) {
        double tie = (tenThousandths + 0.5) / 10_000;
        sameAsFormatter(tie);
        sameAsFormatter(Math.nextAfter(tie, nudge < 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY));
        sameAsFormatter(tie * Math.pow(10, nudge));
    }

    @Test
    void zerosSignsAndExtremes() {
        for (double d : new double[] {0.0, -0.0, -0.00001, -0.00005, 0.00005, 0.00004999, 1e-300, -1e-300,
            Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1e20, 123456789.123456789,
            0.125, 2.5e-5, 99.99995, 99.99994999, 1.0 / 3, 2.0 / 3, 100.0 * 17 / 23}) {
            sameAsFormatter(d);
        }
    }
}
