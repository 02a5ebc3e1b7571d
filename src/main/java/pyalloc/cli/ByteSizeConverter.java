package pyalloc.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses sizes such as {@code 4096}, {@code 16K}, {@code 16KiB}, {@code 1M} (binary units). */
final class ByteSizeConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        int mult = 1;
        if (v.endsWith("K")) {
            mult = 1 << 10;
        } else if (v.endsWith("M")) {
            mult = 1 << 20;
        } else if (v.endsWith("G")) {
            mult = 1 << 30;
        }
        if (mult > 1) {
            v = v.substring(0, v.length() - 1);
        }
        try {
            long n = Long.parseLong(v) * mult;
            if (n <= 0 || n > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a size (expected e.g. 4096, 16K or 1M)");
        }
    }
}
