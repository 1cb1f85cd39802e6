package dev.kiln.runtime.backend.openblas;

import dev.kiln.runtime.backend.Blas;
import dev.kiln.runtime.tensor.Tensor;

/** Run in a fresh JVM by {@link OpenBlasCoreTest}: uses Kiln first, then prints OpenBLAS's core. */
public final class OpenBlasCoreProbe {
  static final String PREFIX = "openblas core: ";

  private OpenBlasCoreProbe() {}

  public static void main(String[] args) {
    Tensor a = Tensor.zeros(2, 2);
    Tensor c = Tensor.zeros(2, 2);
    a.fill(1f);
    Blas.gemm(false, false, 2, 2, 2, 1f, a, 2, a, 2, 0f, c, 2);
    if (c.data().get(0) != 2f) {
      throw new AssertionError("gemm gave " + c.data().get(0));
    }
    System.out.println(PREFIX + OpenBlasCore.loadedCore().orElse("not loaded"));
  }
}
