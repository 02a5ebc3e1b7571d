package pyalloc.report.findings;

import java.util.Locale;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFiles.Row;
import pyalloc.report.text.SummaryText;

/** How findings say numbers, moments and snapshots. */
final class Words {
    private Words() {
    }

    /** String.format in the root locale: reports read the same everywhere. */
    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** 812 B, 1.53 MiB. */
    static String bytes(double n) {
        return SummaryText.bytes(Math.round(n));
    }

    /** 12.5 %, with one decimal under 10 and none above. */
    static String pct(double ratio) {
        double p = 100 * ratio;
        return String.format(Locale.ROOT, p < 10 ? "%.1f%%" : "%.0f%%", p);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** "1 arena", "3 arenas". */
    static String plural(long n, String one, String many) {
        return count(n) + " " + (n == 1 ? one : many);
    }

    /** When a timeline or marks row was taken: "167.6 ms" with trace time, else "event 12,345". */
    static String when(Row r) {
        String ns = r.get("ns");
        return ns.isEmpty() ? "event " + count(r.lng("event"))
                : String.format(Locale.ROOT, "%.1f ms", Long.parseLong(ns) / 1e6);
    }

    /** How a sentence names a snapshot: "at exit", "at the end of the trace", "at mark half-evicted". */
    static String at(Row s) {
        String label = s.get("snapshot");
        return switch (label) {
            case ReportFiles.EXIT -> "at exit";
            case ReportFiles.END -> "at the end of the trace";
            case "peak" -> "at the peak of arena bytes";
            default -> "at mark " + label;
        };
    }

    /** {@link #at} with a capital, to start a sentence. */
    static String atStart(Row s) {
        String a = at(s);
        return Character.toUpperCase(a.charAt(0)) + a.substring(1);
    }
}
