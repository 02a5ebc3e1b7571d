package pyalloc.trace.binary;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;

/**
 * How a block's event data is stored: as is, or as one zstd frame (RFC 8878). zstd, not gzip: it decompresses
 * several times faster (a replay's reading thread decompresses and decodes a block in less time than the model
 * takes to replay it, docs/performance.md) and compresses about as small (the service trace's blocks: 55 MB,
 * gzip -6 of the whole stored trace 53 MB). Its native library loads on first use, so a trace of stored blocks
 * never needs it.
 */
abstract class BlockCodec implements AutoCloseable {

    /** Blocks stored as they are (what the recorder writes: it has no compression library). */
    static final BlockCodec NONE = new BlockCodec() {
        @Override
        void encode(ByteSink data, ByteSink payload) {
            payload.varint(BinaryFormat.CODEC_NONE);
            payload.varint(data.length);
            payload.put(data);
        }

        @Override
        public void close() {
        }
    };

    /** zstd's default level: on the service trace's blocks 4 % smaller than level 1, and fast enough to keep up. */
    static final int ZSTD_LEVEL = 3;

    /** Appends {@code data} to {@code payload} as codec, raw length and stored bytes. */
    abstract void encode(ByteSink data, ByteSink payload) throws IOException;

    @Override
    public abstract void close();

    /** Returns a zstd encoder; throws when zstd's native library cannot be loaded here. */
    static BlockCodec zstd() throws IOException {
        ZstdCompressCtx ctx = newZstd(ZstdCompressCtx::new);
        ctx.setLevel(ZSTD_LEVEL);
        return new BlockCodec() {
            @Override
            void encode(ByteSink data, ByteSink payload) throws IOException {
                payload.varint(BinaryFormat.CODEC_ZSTD);
                payload.varint(data.length);
                int bound = (int) Zstd.compressBound(data.length);
                payload.reserve(bound);
                try {
                    payload.length += ctx.compressByteArray(payload.bytes, payload.length, bound, data.bytes, 0,
                            data.length);
                } catch (ZstdException e) {
                    throw new IOException("zstd failed to compress a block: " + e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                ctx.close();
            }
        };
    }

    /** Returns a zstd decoder; throws when zstd's native library cannot be loaded here. */
    static ZstdDecompressCtx zstdDecoder() throws IOException {
        return newZstd(ZstdDecompressCtx::new);
    }

    private interface Maker<T> {
        T make();
    }

    private static <T> T newZstd(Maker<T> maker) throws IOException {
        try {
            return maker.make();
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new IOException("cannot load zstd's native library (zstd-jni, needed for compressed .pyat blocks)"
                    + " on " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ": "
                    + e.getMessage() + "; pyalloc convert --no-compress, on a machine where it loads, writes"
                    + " blocks without it");
        }
    }
}
