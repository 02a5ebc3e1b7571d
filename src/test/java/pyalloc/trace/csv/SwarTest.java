package pyalloc.trace.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;

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
            @Chars({'0', '7', '9', 'a', 'f', 'g', 'o', 'x', ':', '`', 'F', '\u00e9', '\u00ff'}) String field,
            @ForAll @IntRange(min = 0, max = 3) int endIndex) {
        char end = ",\n\r/".charAt(endIndex);
        byte[] b = Arrays.copyOf((field + end).getBytes(StandardCharsets.ISO_8859_1), 40);
        int n = field.length();
        assertEquals(n == 16 ? -1 : n, Swar.fieldEnd(b, 0), "the first byte below '0' ends the field");
        assertEquals(Math.min(n, 8), Swar.wordFieldEnd(Swar.word(b, 0)), "within the first word");
        boolean hex = field.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
        boolean dec = field.chars().allMatch(c -> c >= '0' && c <= '9');
        assertEquals(hex ? Long.parseUnsignedLong(field, 16) : Swar.BAD_HEX, Swar.hexOrBad(b, 0, n));
        assertEquals(dec ? Long.parseLong(field) : -1, n <= 15 || !dec ? Swar.decimalOrBad(b, 0, n) : -1);
    }

    @Property
    void oneOddByteAmongDigitsSpoilsTheFieldOnlyWhenInsideIt(@ForAll byte bad, @ForAll @IntRange(min = 0, max = 15) int at,
            @ForAll @IntRange(min = 1, max = 16) int n) {
        // One odd byte (0xff carries when 6 is added) among digits, inside or past the field.
        byte[] b = Arrays.copyOf("1234567890123456".getBytes(StandardCharsets.ISO_8859_1), 40);
        b[at] = bad;
        char c = (char) (bad & 0xff);
        boolean inside = at < n;
        boolean digit = c >= '0' && c <= '9';
        boolean hexDigit = digit || c >= 'a' && c <= 'f';
        String field = new String(b, 0, n, StandardCharsets.ISO_8859_1);
        assertEquals(!inside || hexDigit ? Long.parseUnsignedLong(field, 16) : Swar.BAD_HEX, Swar.hexOrBad(b, 0, n));
        if (n <= 15) {
            assertEquals(!inside || digit ? Long.parseLong(field) : -1, Swar.decimalOrBad(b, 0, n));
        }
    }

    @Property
    void aFieldOfSixteenOrMoreHasNoEnd(@ForAll @StringLength(min = 16, max = 20) @Chars({'1', 'c'}) String field) {
        byte[] b = Arrays.copyOf((field + ",").getBytes(StandardCharsets.ISO_8859_1), 40);
        assertEquals(-1, Swar.fieldEnd(b, 0), "it looks at 16 bytes at most");
    }
}
