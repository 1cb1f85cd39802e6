package dev.kiln.runtime.backend.java;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.backend.Blas;
import dev.kiln.runtime.backend.ConvShape;
import dev.kiln.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Not a test: times the parts of a convolution in the Java loops ({@code -Dkiln.convTiming=true}). */
class Im2colTimingProbe {
  @Test
  void time() {
    assumeTrue(Boolean.getBoolean("kiln.convTiming"), "timing only on request");
    int[][] shapes = {{64, 16, 14, 14, 32}, {8, 1, 12, 12, 4}, {32, 3, 32, 32, 32}};
    for (int[] s : shapes) {
      int n = s[0];
      ConvShape g = new ConvShape(s[1], s[2], s[3], s[4], 3, 3, 1, 1, 1, 1, s[2], s[3], 1, 1);
      int patch = s[1] * 9;
      int plane = g.outPlane();
      Tensor x = Tensor.zeros(n, s[1], s[2], s[3]);
      Tensor col = Tensor.zeros((long) patch * plane);
      Tensor w = Tensor.zeros(s[4], patch);
      Tensor y = Tensor.zeros(n, s[4], plane);
      double[] tIm = new double[7];
      double[] tCol = new double[7];
      double[] tGemm = new double[7];
      int reps = 20;
      for (int r = -3; r < 7; r++) {
        long t0 = System.nanoTime();
        for (int k = 0; k < reps; k++) {
          for (int i = 0; i < n; i++) {
            Im2col.im2col(g, x.data(), i * s[1] * g.inPlane(), col.data(), 0, plane);
          }
        }
        long t1 = System.nanoTime();
        for (int k = 0; k < reps; k++) {
          for (int i = 0; i < n; i++) {
            Im2col.col2im(g, col.data(), 0, plane, x.data(), i * s[1] * g.inPlane());
          }
        }
        long t2 = System.nanoTime();
        for (int k = 0; k < reps; k++) {
          for (int i = 0; i < n; i++) {
            Blas.gemm(false, false, s[4], plane, patch, 1f, w, 0, patch, col, 0, plane, 0f, y,
                i * s[4] * plane, plane);
          }
        }
        long t3 = System.nanoTime();
        if (r >= 0) {
          tIm[r] = (t1 - t0) / 1e3 / reps;
          tCol[r] = (t2 - t1) / 1e3 / reps;
          tGemm[r] = (t3 - t2) / 1e3 / reps;
        }
      }
      Arrays.sort(tIm);
      Arrays.sort(tCol);
      Arrays.sort(tGemm);
      long elements = (long) n * patch * plane;
      System.out.printf(Locale.ROOT, "[im2col timing] %s im2col %.1f µs (%.2f ns/elem) col2im %.1f "
          + "µs (%.2f ns/elem) per-sample gemm %.1f µs%n", Arrays.toString(s), tIm[3],
          tIm[3] * 1e3 / elements, tCol[3], tCol[3] * 1e3 / elements, tGemm[3]);
    }
  }
}
