package pyalloc.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The replay's pointer map behaves as a java.util.HashMap over any sequence of its operations. */
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
            switch (Math.floorMod(salt + step, 4)) {
                case 0 -> assertEquals(model.getOrDefault(key, MISSING), map.put(key, value), "put " + key);
                case 1 -> assertEquals(model.getOrDefault(key, MISSING), map.get(key), "get " + key);
                case 2 -> assertEquals(model.getOrDefault(key, MISSING), map.putIfAbsent(key, value),
                        "putIfAbsent " + key);
                default -> assertEquals(model.getOrDefault(key, MISSING), map.remove(key), "remove " + key);
            }
            switch (Math.floorMod(salt + step, 4)) {
                case 0 -> model.put(key, value);
                case 1 -> { }
                case 2 -> model.putIfAbsent(key, value);
                default -> model.remove(key);
            }
            assertEquals(model.size(), map.size());
            if (model.containsKey(key)) {
                assertTrue(map.mightContain(key), "a live key is never ruled out: " + key);
            }
        }
        for (Map.Entry<Long, Long> e : model.entrySet()) {
            assertEquals(e.getValue(), map.get(e.getKey()));
        }
    }

    /** Keys that all fall in one bucket of the map's filter: the multiply by the hash constant, undone. */
    private static long[] keysInOneBucket(int n) {
        BigInteger two64 = BigInteger.ONE.shiftLeft(64);
        BigInteger inverse = new BigInteger(Long.toUnsignedString(0x9E3779B97F4A7C15L)).modInverse(two64);
        long[] keys = new long[n];
        for (int j = 0; j < n; j++) {
            BigInteger hash = BigInteger.valueOf(5).shiftLeft(50).add(BigInteger.valueOf(j + 1));
            keys[j] = hash.multiply(inverse).mod(two64).longValue();
        }
        return keys;
    }

    private static PointerMap mapOf(long[] keys) {
        PointerMap map = new PointerMap(MISSING);
        for (long k : keys) {
            map.put(k, 1);
        }
        return map;
    }

    @Test
    void aBucketEmptiedAgainRulesItsKeysOut() {
        long[] keys = keysInOneBucket(100);
        PointerMap map = mapOf(keys);
        for (long k : keys) {
            assertTrue(map.mightContain(k));
            map.remove(k);
        }
        assertFalse(map.mightContain(keys[0]), "all 100 keys of the bucket removed");
    }

    @Test
    void aSaturatedBucketNeverRulesAKeyOut() {
        long[] keys = keysInOneBucket(300);
        PointerMap map = mapOf(keys);
        for (int j = 0; j < 299; j++) {
            map.remove(keys[j]);
        }
        assertEquals(1, map.size());
        assertTrue(map.mightContain(keys[299]), "past 127 keys the bucket no longer knows its count");
        assertEquals(1, map.get(keys[299]));
    }
}
