package dev.kiln.runtime.tensor;

import dev.kiln.runtime.backend.openblas.OpenBlasCore;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A float32, row-major ('c'), contiguous ND4J array together with the two handles Kiln's kernels
 * use on the hot path, both resolved once when the tensor is made: a {@link FloatBuffer} over its
 * memory (for element-wise loops) and a {@link FloatPointer} (for BLAS calls).
 *
 * <p>A tensor never reallocates: kernels write into it in place, and {@link #array()} is a live
 * view of the same memory, so a value assigned through the {@code INDArray} is seen by the kernels
 * and the other way round.
 */
public final class Tensor {
  static {
    // Before ND4J loads OpenBLAS, which picks its CPU kernels once (OpenBlasCore).
    OpenBlasCore.select();
  }

  private final INDArray array;
  private final FloatBuffer data;
  private final FloatPointer pointer;
  private final long address;
  private final long[] shape;
  private final int length;

  private Tensor(INDArray array) {
    this.array = array;
    this.shape = array.shape().clone();
    long n = array.length();
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor of " + n + " elements exceeds 2^31 - 1");
    }
    this.length = (int) n;
    // A view's data buffer is itself a view whose address already includes its offset; the
    // array may start further into it.
    long start = array.offset() - array.data().offset();
    this.pointer = new FloatPointer(array.data().addressPointer());
    this.pointer.position(start).capacity(start + n);
    this.data = pointer.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
    this.address = pointer.address() + start * Float.BYTES;
  }

  /**
   * A new tensor of zeros, in an ND4J buffer of its own (16-byte aligned).
   *
   * @param shape the shape, each dimension at least 1
   * @throws IllegalArgumentException for an empty shape, a non-positive dimension, or more than
   *     2^31 - 1 elements
   */
  public static Tensor zeros(long... shape) {
    elements(shape);
    return new Tensor(Nd4j.zeros(DataType.FLOAT, shape));
  }

  /**
   * A new tensor of zeros that starts on a 64-byte cache line: a view into an ND4J buffer one
   * cache line longer. For the buffers a trainer keeps to itself (activations and their
   * gradients): ND4J's buffers start 16-byte aligned, and the native kernels' 64-byte vector
   * loads and stores that straddle two cache lines made the batch-norm pass 2.5× slower
   * (docs/performance.md).
   *
   * <p>ND4J ops read and write the view correctly, but ND4J's NumPy export ({@code
   * Nd4j.toNpyByteArray}, {@code Nd4j.writeAsNumpy}) ignores a view's offset, as for any ND4J
   * view: export {@code array().dup()} instead. That is why {@link #zeros}, which networks use
   * for their parameters, does not align.
   *
   * @throws IllegalArgumentException as {@link #zeros}
   */
  public static Tensor alignedZeros(long... shape) {
    long n = elements(shape);
    INDArray buffer = Nd4j.zeros(DataType.FLOAT, n + ALIGNMENT_FLOATS - 1);
    long misalignment = buffer.data().address() % (ALIGNMENT_FLOATS * Float.BYTES);
    long skip = misalignment == 0 ? 0 : (ALIGNMENT_FLOATS * Float.BYTES - misalignment) / Float.BYTES;
    INDArray view = buffer.get(NDArrayIndex.interval(skip, skip + n)).reshape('c', shape);
    return new Tensor(view);
  }

  /** Floats per cache line: {@link #alignedZeros} starts its tensors on one. */
  static final int ALIGNMENT_FLOATS = 16;

  /** The element count of a valid shape (see {@link #zeros}). */
  private static long elements(long[] shape) {
    if (shape.length == 0) {
      throw new IllegalArgumentException("a tensor needs at least one dimension");
    }
    long n = 1;
    for (long d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException("non-positive dimension in shape " + Arrays.toString(shape));
      }
      if (n > Integer.MAX_VALUE / d) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape)
            + " has more than 2^31 - 1 elements");
      }
      n *= d;
    }
    return n;
  }

  /**
   * Wraps an existing array without copying.
   *
   * @throws IllegalArgumentException unless the array is float32, 'c'-ordered and contiguous
   */
  public static Tensor wrap(INDArray array) {
    if (array.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException("expected a float32 array, got " + array.dataType());
    }
    if (!isContiguousRowMajor(array)) {
      throw new IllegalArgumentException(
          "expected a contiguous row-major ('c') array, got ordering " + array.ordering()
              + " with strides " + Arrays.toString(array.stride()));
    }
    return new Tensor(array);
  }

  /** True where the array's elements lie in row-major order without gaps. */
  public static boolean isContiguousRowMajor(INDArray array) {
    long expected = 1;
    long[] shape = array.shape();
    long[] stride = array.stride();
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != expected) {
        return false;
      }
      expected *= shape[i];
    }
    return true;
  }

  /** The live ND4J view of this tensor's memory. */
  public INDArray array() {
    return array;
  }

  /** The memory as a float buffer; element {@code i} (row-major) is at index {@code i}. */
  public FloatBuffer data() {
    return data;
  }

  /** The address of element 0, for native kernels (the {@code backend.cpu} kernels). */
  public long address() {
    return address;
  }

  /** The memory as a JavaCPP pointer positioned at element 0, for BLAS calls. */
  public FloatPointer pointer() {
    return pointer;
  }

  /** Number of elements. */
  public int length() {
    return length;
  }

  /** Size of dimension {@code i}. */
  public int size(int i) {
    return (int) shape[i];
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Element {@code i} in row-major order. */
  public float get(int i) {
    return data.get(i);
  }

  /** Sets element {@code i} in row-major order. */
  public void set(int i, float value) {
    data.put(i, value);
  }

  /** Copies all elements into a new Java array (for tests and checkpoints, not the hot path). */
  public float[] toFloatArray() {
    float[] out = new float[length];
    data.get(0, out);
    return out;
  }

  /** Copies {@code values} into this tensor. */
  public void setFrom(float[] values) {
    if (values.length != length) {
      throw new IllegalArgumentException("expected " + length + " values, got " + values.length);
    }
    data.put(0, values);
  }

  /** Sets every element to {@code value}. */
  public void fill(float value) {
    for (int i = 0; i < length; i++) {
      data.put(i, value);
    }
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }

  /**
   * Checks that {@code t} holds at least {@code elements} floats before a kernel touches that
   * many: native code has no bounds checks, so a wrong size must fail here, as an exception,
   * and not as a write past the end of a buffer. Every kernel entry point calls it for each
   * tensor argument, whichever backend then runs.
   *
   * @param kernel the kernel's name, for the message
   * @param argument the argument's name, for the message
   * @throws IllegalArgumentException naming the kernel, the argument and both sizes
   * @throws NullPointerException if {@code t} is null
   */
  public static void require(String kernel, String argument, Tensor t, long elements) {
    if (t == null) {
      throw new NullPointerException(kernel + ": " + argument + " is null");
    }
    if (elements < 0 || t.length < elements) {
      throw new IllegalArgumentException(kernel + ": " + argument + " has " + t.length
          + " elements; " + elements + " needed");
    }
  }
}
