package dev.kiln.runtime.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST, plain or gzip-compressed (recognised by the
 * gzip magic bytes {@code 1f 8b}, not by the file name).
 *
 * <p>Layout, big-endian: two zero bytes; a type code ({@code 0x08} unsigned byte, {@code 0x09}
 * signed byte, {@code 0x0B} short, {@code 0x0C} int, {@code 0x0D} float, {@code 0x0E} double);
 * the number of dimensions (at least 1); that many int32 dimensions; then the payload, exactly
 * as many values as the dimensions need and nothing after it.
 */
public final class Idx {
  static {
    // Before ND4J loads OpenBLAS, which picks its CPU kernels once (OpenBlasCore).
    dev.kiln.runtime.backend.openblas.OpenBlasCore.select();
  }

  private static final int BUFFER = 1 << 16;
  /** Values allocated before any payload is read (4 MiB); the array grows from there. */
  static final int FIRST_ALLOCATION = 1 << 20;

  private Idx() {}

  /**
   * Reads a whole IDX file.
   *
   * @throws IdxFormatException if the content is not a valid IDX file (nothing partial is returned)
   * @throws IOException if the file cannot be read
   */
  public static IdxArray read(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER)) {
      return read(in, file.toString());
    }
  }

  /**
   * Reads a whole IDX stream to its end; the stream is not closed.
   *
   * @param sourceName the file or resource name that error messages give
   * @throws IdxFormatException if the content is not a valid IDX stream (nothing partial is
   *     returned)
   * @throws IOException if the stream cannot be read
   */
  public static IdxArray read(InputStream in, String sourceName) throws IOException {
    InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in, BUFFER);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    if (b0 != 0x1f || b1 != 0x8b) {
      return new Reader(buffered, sourceName).readAll();
    }
    Reader reader = null;
    try {
      reader = new Reader(new GZIPInputStream(buffered, BUFFER), sourceName);
      return reader.readAll();
    } catch (EOFException | ZipException e) {
      throw new IdxFormatException(sourceName, reader == null ? 0 : reader.pos,
          "a complete gzip stream", "truncated or corrupt gzip data (" + e.getMessage() + ")", e);
    }
  }

  /** Reads one stream, keeping the byte offset for error messages. */
  private static final class Reader {
    private final InputStream in;
    private final String source;
    private long pos;

    Reader(InputStream in, String source) {
      this.in = in;
      this.source = source;
    }

    IdxArray readAll() throws IOException {
      byte[] head = readHeader(4, "the 4-byte IDX header");
      if (head[0] != 0 || head[1] != 0) {
        throw new IdxFormatException(source, 0, "magic bytes 0x00 0x00",
            String.format("0x%02x 0x%02x", head[0] & 0xff, head[1] & 0xff));
      }
      int type = head[2] & 0xff;
      int width = elementBytes(type);
      if (width == 0) {
        throw new IdxFormatException(source, 2,
            "a type code 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e", String.format("0x%02x", type));
      }
      int rank = head[3] & 0xff;
      if (rank == 0) {
        throw new IdxFormatException(source, 3, "at least 1 dimension", "0 dimensions");
      }
      ByteBuffer dimBytes = ByteBuffer.wrap(readHeader(4 * rank, rank + " int32 dimensions"));
      int[] dims = new int[rank];
      long count = 1;
      for (int i = 0; i < rank; i++) {
        dims[i] = dimBytes.getInt(4 * i);
        if (dims[i] < 1) {
          throw new IdxFormatException(source, 4 + 4L * i, "a positive size for dimension " + i,
              String.valueOf(dims[i]));
        }
        count *= dims[i];
        if (count > Integer.MAX_VALUE - 8) {
          throw new IdxFormatException(source, 4, "at most 2^31 - 9 values",
              "dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1)) + "...");
        }
      }
      float[] values = readPayload(type, width, (int) count, dims);
      if (in.read() != -1) {
        throw new IdxFormatException(source, pos, "the end of the data after the payload of "
            + Arrays.toString(dims), "trailing bytes");
      }
      return new IdxArray(dims, values, source);
    }

    private byte[] readHeader(int n, String what) throws IOException {
      byte[] bytes = in.readNBytes(n);
      if (bytes.length < n) {
        throw new IdxFormatException(source, pos + bytes.length, what + " (" + n + " bytes from "
            + "offset " + pos + ")", "the end of the data");
      }
      pos += n;
      return bytes;
    }

    private float[] readPayload(int type, int width, int count, int[] dims) throws IOException {
      // Grown as the data arrives: a header that claims more values than the file holds is
      // refused after at most twice the memory of what is really there, never its claim.
      float[] out = new float[Math.min(count, FIRST_ALLOCATION)];
      byte[] chunk = new byte[BUFFER];
      ByteBuffer view = ByteBuffer.wrap(chunk).order(ByteOrder.BIG_ENDIAN);
      long start = pos;
      long total = (long) count * width;
      int done = 0;
      while (done < count) {
        int n = Math.min(count - done, BUFFER / width);
        if (done + n > out.length) {
          out = Arrays.copyOf(out, (int) Math.min(count, 2L * out.length + n));
        }
        int got = in.readNBytes(chunk, 0, n * width);
        if (got < n * width) {
          throw new IdxFormatException(source, pos + got, total + " payload bytes from offset "
              + start + " for dimensions " + Arrays.toString(dims) + " (IDX data of "
              + (start + total) + " bytes)",
              "the end of the data after " + (pos + got - start) + " payload bytes");
        }
        pos += got;
        convert(type, view, out, done, n);
        done += n;
      }
      return out;
    }
  }

  private static void convert(int type, ByteBuffer in, float[] out, int at, int n) {
    switch (type) {
      case 0x08 -> {
        for (int i = 0; i < n; i++) {
          out[at + i] = in.get(i) & 0xff;
        }
      }
      case 0x09 -> {
        for (int i = 0; i < n; i++) {
          out[at + i] = in.get(i);
        }
      }
      case 0x0b -> {
        for (int i = 0; i < n; i++) {
          out[at + i] = in.getShort(2 * i);
        }
      }
      case 0x0c -> {
        for (int i = 0; i < n; i++) {
          out[at + i] = in.getInt(4 * i);
        }
      }
      case 0x0d -> {
        for (int i = 0; i < n; i++) {
          out[at + i] = in.getFloat(4 * i);
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          out[at + i] = (float) in.getDouble(8 * i);
        }
      }
    }
  }

  /** Bytes per element for a type code, 0 for an unknown code. */
  private static int elementBytes(int type) {
    return switch (type) {
      case 0x08, 0x09 -> 1;
      case 0x0b -> 2;
      case 0x0c, 0x0d -> 4;
      case 0x0e -> 8;
      default -> 0;
    };
  }
}
