package pyalloc.obmalloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The window table answers as a map over the windows it took, whichever side it grew on. */
final class WindowTableTest {

    @Property(tries = 200)
    void agreesWithAMap(@ForAll @Size(max = 300) List<@IntRange(min = 0, max = 5000) Integer> windows,
            @ForAll long salt) {
        WindowTable<Long> t = new WindowTable<>();
        Map<Long, Long> model = new HashMap<>();
        long base = Math.floorMod(salt, 1L << 40);  // mmap areas lie anywhere; windows are unsigned
        int step = 0;
        for (int w : windows) {
            long window = base + w;
            Long value = (salt + step++) % 5 == 0 ? null : (long) step;
            assertTrue(t.put(window, value));
            if (value == null) {
                model.remove(window);
            } else {
                model.put(window, value);
            }
        }
        for (int w = -2; w <= 5002; w++) {
            assertEquals(model.get(base + w), t.get(base + w), "window " + (base + w));
        }
    }

    @Test
    void refusesAWindowTooFarFromTheOthers() {
        WindowTable<String> t = new WindowTable<>();
        assertTrue(t.put(1000, "a"));
        assertFalse(t.put(1000 + WindowTable.MAX_WINDOWS, "far"));
        assertNull(t.get(1000 + WindowTable.MAX_WINDOWS));
        assertEquals("a", t.get(1000));
        assertTrue(t.put(0, "low"));
        assertEquals("low", t.get(0));
        assertEquals("a", t.get(1000));
    }
}
