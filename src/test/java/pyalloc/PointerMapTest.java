package pyalloc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The replay's pointer map behaves as a java.util.HashMap over any sequence of puts, gets and removes. */
final class PointerMapTest {
    private static final long MISSING = Long.MAX_VALUE;

    @Property(tries = 300)
    void agreesWithHashMap(@ForAll @Size(max = 5000) List<@IntRange(min = 0, max = 3000) Integer> keys,
            @ForAll long salt) {
        PointerMap map = new PointerMap(MISSING);
        Map<Long, Long> model = new HashMap<>();
        long step = 0;
        for (int k : keys) {
            long key = k < 2900 ? 0x7f0000000000L + 16L * k : k - 2900;  // pointer-like keys, and small ones with 0
            long value = salt ^ step++;
            switch ((int) (Math.floorMod(salt + step, 3))) {
                case 0 -> assertEquals(model.getOrDefault(key, MISSING), map.put(key, value), "put " + key);
                case 1 -> assertEquals(model.getOrDefault(key, MISSING), map.get(key), "get " + key);
                default -> assertEquals(model.getOrDefault(key, MISSING), map.remove(key), "remove " + key);
            }
            switch ((int) (Math.floorMod(salt + step, 3))) {
                case 0 -> model.put(key, value);
                case 1 -> { }
                default -> model.remove(key);
            }
            assertEquals(model.size(), map.size());
        }
        for (Map.Entry<Long, Long> e : model.entrySet()) {
            assertEquals(e.getValue(), map.get(e.getKey()));
        }
    }
}
