package pyalloc.trace.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.Chars;

/** The word-at-a-time digit parsing agrees with the JDK's parsers on every input, digits or not. */
final class SwarTest {

    private static long word(String s) {
        byte[] b = Arrays.copyOf(s.getBytes(StandardCharsets.ISO_8859_1), 16);
        return Swar.word(b, 0);
    }

    @Property
    void hexDigitsAndValue(@ForAll @LongRange(min = 0, max = 0xffffffffL) long v, @ForAll @StringLength(max = 3)
            @Chars({',', 'x', 'G', '/', ':', '`', 'g', '@'}) String tail) {
        String hex = Long.toHexString(v);
        long x = word(hex + tail);
        int n = Swar.leading(Swar.hexBytes(x));
        assertEquals(Math.min(hex.length(), 8), n);
        assertEquals(v, Swar.hexValue(x, n));
    }

    @Property
    void decimalDigitsAndValue(@ForAll @LongRange(min = 0, max = 99_999_999L) long v,
            @ForAll @StringLength(max = 3) @Chars({',', '\n', 'a', '/', ':', ' '}) String tail) {
        String dec = Long.toString(v);
        long x = word(dec + tail);
        int n = Swar.leading(Swar.digitBytes(x));
        assertEquals(dec.length(), n);
        assertEquals(v, Swar.decimalValue(x, n));
    }

    @Property
    void everyByteIsClassifiedLikeCharacterDigit(@ForAll byte b) {
        long x = word(new String(new byte[] {b}, StandardCharsets.ISO_8859_1));
        char c = (char) (b & 0xff);
        assertEquals(c >= '0' && c <= '9' ? 1 : 0, Swar.leading(Swar.digitBytes(x)));
        assertEquals(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' ? 1 : 0, Swar.leading(Swar.hexBytes(x)));
    }

    @Property
    void fieldsOfUpToSixteenCharacters(@ForAll @StringLength(min = 1, max = 16)
            @Chars({'0', '7', '9', 'a', 'f', 'g', 'x', ':', '\u00e9'}) String field,
            @ForAll @IntRange(min = 0, max = 3) int endIndex) {
        char end = ",\n\r/".charAt(endIndex);
        byte[] b = Arrays.copyOf((field + end).getBytes(StandardCharsets.ISO_8859_1), 40);
        int n = field.length();
        assertEquals(n == 16 ? -1 : n, Swar.fieldEnd(b, 0), "the first byte below '0' ends the field");
        boolean hex = field.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
        boolean dec = field.chars().allMatch(c -> c >= '0' && c <= '9');
        assertEquals(hex, Swar.isHex(b, 0, n));
        assertEquals(dec, Swar.isDecimal(b, 0, n));
        if (hex) {
            assertEquals(Long.parseUnsignedLong(field, 16), Swar.hex(b, 0, n));
        }
        if (dec && n <= 15) {
            assertEquals(Long.parseLong(field), Swar.decimal(b, 0, n));
        }
    }

    @Property
    void aFieldOfSixteenOrMoreHasNoEnd(@ForAll @StringLength(min = 16, max = 20) @Chars({'1', 'c'}) String field) {
        byte[] b = Arrays.copyOf((field + ",").getBytes(StandardCharsets.ISO_8859_1), 40);
        assertEquals(-1, Swar.fieldEnd(b, 0), "it looks at 16 bytes at most");
    }
}
