package dev.kiln.runtime.backend;

import dev.kiln.runtime.tensor.Tensor;

import dev.kiln.runtime.backend.openblas.OpenBlasCore;

/**
 * Matrix products into preallocated outputs, checked, then run by {@link Backends#kernels()}.
 *
 * <p>Both backends call the same OpenBLAS {@code cblas_sgemm} that ND4J's CPU backend calls from
 * {@code CpuLevel3.sgemm} (the native kernels, on several threads, call it once per slice), but
 * with the pointers that each {@link Tensor} resolved once, so a call allocates nothing (ND4J's
 * {@code Nd4j.gemm} builds a new op and context on every call, about 4 KB).
 * Row counts are passed per call, which lets a trainer multiply the first {@code n} rows of a
 * buffer sized for a full batch without making a view.
 */
public final class Blas {
  static {
    // Before ND4J loads OpenBLAS, which picks its CPU kernels once (OpenBlasCore).
    OpenBlasCore.select();
  }

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
    Backends.kernels().gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
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
    Backends.kernels().gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb,
        beta, c, cOffset, ldc);
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
    Tensor.require("gemm", "a", a, aOffset + (long) (aRows - 1) * lda + aColumns);
    Tensor.require("gemm", "b", b, bOffset + (long) (bRows - 1) * ldb + bColumns);
    Tensor.require("gemm", "c", c, cOffset + (long) (m - 1) * ldc + n);
  }
}
