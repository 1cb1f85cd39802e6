package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A JavaCPP pointer that can be moved to any element of a {@link Tensor} without allocating, so
 * that one kernel can pass sub-matrices (one head of one sample) to OpenBLAS's {@code cblas_sgemm}
 * on every call. {@link dev.kiln.runtime.Blas#gemm} takes whole tensors from element 0; a {@code
 * FloatPointer} per sub-matrix would be a new object per call. The pointer owns no memory and has
 * no deallocator; the kernel that holds it checks every extent before moving it.
 */
final class MatrixPointer extends FloatPointer {
  MatrixPointer() {
    super();
  }

  /**
   * Points at element {@code offset} of {@code t}.
   *
   * @return this
   */
  MatrixPointer at(Tensor t, long offset) {
    address = t.address() + offset * Float.BYTES;
    position = 0;
    capacity = t.length() - offset;
    limit = capacity;
    return this;
  }
}
