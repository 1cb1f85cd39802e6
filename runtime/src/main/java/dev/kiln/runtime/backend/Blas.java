package dev.kiln.runtime.backend;

import dev.kiln.runtime.tensor.Tensor;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Matrix products into preallocated outputs.
 *
 * <p>These call the same OpenBLAS {@code cblas_sgemm} that ND4J's CPU backend calls from {@code
 * CpuLevel3.sgemm}, but with the pointers that each {@link Tensor} resolved once, so a call
 * allocates nothing (ND4J's {@code Nd4j.gemm} builds a new op and context on every call, about 4 KB).
 * Row counts are passed per call, which lets a trainer multiply the first {@code n} rows of a
 * buffer sized for a full batch without making a view.
 */
public final class Blas {
  static {
    // Before ND4J loads OpenBLAS, which picks its CPU kernels once (OpenBlasCore).
    OpenBlasCore.select();
  }

  private static final int ROW_MAJOR = openblas_nolapack.CblasRowMajor;
  private static final int NO_TRANS = openblas_nolapack.CblasNoTrans;
  private static final int TRANS = openblas_nolapack.CblasTrans;

  private Blas() {}

  /**
   * {@code c = alpha · op(a) · op(b) + beta · c} for row-major matrices, where {@code op(a)} is
   * {@code [m, k]} and {@code op(b)} is {@code [k, n]}; {@code c} is {@code [m, n]}.
   *
   * @param transA whether {@code a} is stored as {@code [k, m]} (used transposed)
   * @param transB whether {@code b} is stored as {@code [n, k]} (used transposed)
   * @param a the left matrix; its leading dimension is its stored number of columns
   * @param lda stored columns of {@code a}
   * @param ldb stored columns of {@code b}
   * @param ldc stored columns of {@code c}
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc) {
    checkShape(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, c, 0, ldc);
    if (NativeKernels.PARALLEL) {
      NativeKernels.gemm(transA, transB, m, n, k, alpha, a.address(), lda, b.address(), ldb, beta,
          c.address(), ldc);
      return;
    }
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS,
        m, n, k, alpha, a.pointer(), lda, b.pointer(), ldb, beta, c.pointer(), ldc);
  }

  /**
   * {@link #gemm(boolean, boolean, int, int, int, float, Tensor, int, Tensor, int, float, Tensor,
   * int)} on matrices that start {@code aOffset}, {@code bOffset} and {@code cOffset} elements
   * into their tensors (one sample of a batch, for example), without making a view: allocates
   * nothing.
   *
   * @throws IllegalArgumentException for a negative offset, or a matrix that does not lie inside
   *     its tensor
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      Tensor a, int aOffset, int lda, Tensor b, int bOffset, int ldb, float beta, Tensor c,
      int cOffset, int ldc) {
    checkShape(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
    long aAddress = a.address() + (long) aOffset * Float.BYTES;
    long bAddress = b.address() + (long) bOffset * Float.BYTES;
    long cAddress = c.address() + (long) cOffset * Float.BYTES;
    if (NativeKernels.PARALLEL) {
      NativeKernels.gemm(transA, transB, m, n, k, alpha, aAddress, lda, bAddress, ldb, beta,
          cAddress, ldc);
      return;
    }
    AddressPointer[] views = VIEWS.get();
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS,
        m, n, k, alpha, views[0].at(aAddress), lda, views[1].at(bAddress), ldb, beta,
        views[2].at(cAddress), ldc);
  }

  /** Three reusable pointers per thread for {@link #gemm} with offsets (no allocation per call). */
  private static final ThreadLocal<AddressPointer[]> VIEWS = ThreadLocal.withInitial(
      () -> new AddressPointer[] {new AddressPointer(), new AddressPointer(),
          new AddressPointer()});

  /** A float pointer that is moved to an address; it owns no memory. */
  private static final class AddressPointer extends FloatPointer {
    AddressPointer at(long address) {
      this.address = address;
      this.position = 0;
      this.limit = 0;
      this.capacity = 0;
      return this;
    }
  }


  /**
   * Checks that every matrix lies inside its tensor, so that a wrong size is an exception and
   * not a read or write past a buffer's end (neither OpenBLAS nor the native kernels check).
   */
  private static void checkShape(boolean transA, boolean transB, int m, int n, int k, Tensor a,
      int aOffset, int lda, Tensor b, int bOffset, int ldb, Tensor c, int cOffset, int ldc) {
    if (aOffset < 0 || bOffset < 0 || cOffset < 0) {
      throw new IllegalArgumentException("gemm: offsets must not be negative, got " + aOffset
          + ", " + bOffset + ", " + cOffset);
    }
    if (m < 1 || n < 1 || k < 1) {
      throw new IllegalArgumentException("gemm: sizes must be positive, got m=" + m + ", n=" + n
          + ", k=" + k);
    }
    int aRows = transA ? k : m;
    int aColumns = transA ? m : k;
    int bRows = transB ? n : k;
    int bColumns = transB ? k : n;
    if (lda < aColumns || ldb < bColumns || ldc < n) {
      throw new IllegalArgumentException("gemm: leading dimensions " + lda + ", " + ldb + ", "
          + ldc + " shorter than the rows (" + aColumns + ", " + bColumns + ", " + n + ")");
    }
    NativeKernels.require("gemm", "a", a, aOffset + (long) (aRows - 1) * lda + aColumns);
    NativeKernels.require("gemm", "b", b, bOffset + (long) (bRows - 1) * ldb + bColumns);
    NativeKernels.require("gemm", "c", c, cOffset + (long) (m - 1) * ldc + n);
  }
}
