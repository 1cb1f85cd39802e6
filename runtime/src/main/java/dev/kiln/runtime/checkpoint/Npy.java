package dev.kiln.runtime.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * NumPy {@code .npy} encoding of float32 arrays, through ND4J's own writer ({@code
 * Nd4j.toNpyByteArray}); reading checks the header in Java (magic, {@code <f4}, C order, shape,
 * length) before decoding, so a malformed entry is an exception, never a native crash.
 */
final class Npy {
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private Npy() {}

  static byte[] encode(Checkpoint.Array array) {
    INDArray nd = Nd4j.create(array.values(), array.shape(), 'c');
    return Nd4j.toNpyByteArray(nd);
  }

  /**
   * Decodes a float32, C-ordered {@code .npy} entry.
   *
   * @throws IllegalArgumentException naming what is wrong with the header or length
   */
  static Checkpoint.Array decode(byte[] bytes) {
    if (bytes.length < 10 || (bytes[0] & 0xff) != 0x93
        || !new String(bytes, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
      throw new IllegalArgumentException("not a .npy entry (magic bytes missing)");
    }
    int major = bytes[6];
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength;
    int headerStart;
    if (major == 1) {
      headerLength = b.getShort(8) & 0xffff;
      headerStart = 10;
    } else {
      headerLength = b.getInt(8);
      headerStart = 12;
    }
    if (headerLength < 0 || headerStart + headerLength > bytes.length) {
      throw new IllegalArgumentException(".npy header length " + headerLength + " exceeds entry");
    }
    String header = new String(bytes, headerStart, headerLength, StandardCharsets.ISO_8859_1);
    Matcher descr = DESCR.matcher(header);
    Matcher fortran = FORTRAN.matcher(header);
    Matcher shapeM = SHAPE.matcher(header);
    if (!descr.find() || !fortran.find() || !shapeM.find()) {
      throw new IllegalArgumentException(".npy header unreadable: " + header.trim());
    }
    if (!descr.group(1).equals("<f4")) {
      throw new IllegalArgumentException("expected dtype <f4 (float32), got " + descr.group(1));
    }
    if (fortran.group(1).equals("True")) {
      throw new IllegalArgumentException("expected C order, got Fortran order");
    }
    long[] shape;
    try {
      shape = Arrays.stream(shapeM.group(1).split(",")).map(String::trim)
          .filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(".npy shape unreadable: (" + shapeM.group(1) + ")");
    }
    int dataStart = headerStart + headerLength;
    long available = (bytes.length - dataStart) / 4;
    long count = 1;
    for (long d : shape) {
      // Checked before multiplying: a shape whose product overflows or exceeds the entry is
      // refused without allocating what it claims.
      if (d < 0 || (d > 0 && count > available / d)) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs more"
            + " data than the entry's " + (bytes.length - dataStart) + " bytes");
      }
      count *= d;
    }
    if ((long) bytes.length - dataStart != count * 4) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs "
          + count * 4 + " data bytes, entry has " + (bytes.length - dataStart));
    }
    float[] values = new float[(int) count];
    b.position(dataStart);
    b.asFloatBuffer().get(values);
    return new Checkpoint.Array(values, shape);
  }
}
