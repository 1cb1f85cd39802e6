package dev.kiln.runtime.ops;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Not a test: times {@link Conv2d} forward and backward with several samples per product, for
 * docs/performance.md. Runs only with {@code -Dkiln.convTiming=true}, for example
 * {@code mvn -B -o -pl runtime -am test -Dtest=ConvTimingProbe -Dsurefire.failIfNoSpecifiedTests=false
 * -Dkiln.convTiming=true -Dkiln.threads=2}.
 */
class ConvTimingProbe {
  /** {n, C, H, W, out, k, pad}: stride 1 "same" 3x3 convolutions of small image networks. */
  private static final int[][] SHAPES = {
      {128, 1, 28, 28, 32, 3, 1}, // the CNN benchmark's conv1 and conv2 (benchmarks/README.md)
      {128, 32, 14, 14, 64, 3, 1},
      {64, 1, 28, 28, 16, 3, 1},
      {64, 16, 14, 14, 32, 3, 1},
      {32, 3, 32, 32, 32, 3, 1},
      {32, 32, 16, 16, 64, 3, 1},
      {8, 1, 12, 12, 4, 3, 1},
      {8, 4, 6, 6, 6, 3, 1},
  };
  private static final int ROUNDS = 7;

  @Test
  void time() {
    assumeTrue(Boolean.getBoolean("kiln.convTiming"), "timing only on request");
    System.out.println("[conv timing] threads " + dev.kiln.runtime.backend.Backends.kernels().threads());
    for (int[] s : SHAPES) {
      int n = s[0];
      int[] groups = {1, 2, 4, 8, 16, -1};
      Conv2d[] convs = new Conv2d[groups.length];
      long work = 0;
      for (int k = 0; k < groups.length; k++) {
        convs[k] = new Conv2d(new Window2d("conv2d", s[1], s[2], s[3], s[5], s[5], 1, 1, s[6],
            s[6]), s[4], Math.min(groups[k], n));
        work = Math.max(work, convs[k].workspaceElements(n));
      }
      Conv2d conv = convs[0];
      SplitMix64 rng = new SplitMix64(1);
      Tensor x = random(rng, n, s[1], s[2], s[3]);
      Tensor w = random(rng, s[4], s[1], s[5], s[5]);
      Tensor b = random(rng, s[4]);
      Tensor y = Tensor.zeros(n, s[4], conv.outHeight(), conv.outWidth());
      Tensor dy = random(rng, n, s[4], conv.outHeight(), conv.outWidth());
      Tensor dx = Tensor.zeros(n, s[1], s[2], s[3]);
      Tensor dw = Tensor.zeros(s[4], s[1], s[5], s[5]);
      Tensor db = Tensor.zeros(s[4]);
      Tensor workspace = Tensor.zeros(work);
      long flops = 2L * n * s[4] * s[1] * s[5] * s[5] * conv.outHeight() * conv.outWidth();
      int reps = (int) Math.max(3, Math.min(500, 3e7 / flops));
      double[][] fwd = new double[groups.length][ROUNDS];
      double[][] bwd = new double[groups.length][ROUNDS];
      // Rounds alternate between the groupings, so that a busy moment of the shared machine
      // falls on all of them alike.
      for (int r = -2; r < ROUNDS; r++) { // two rounds of warm-up
        for (int k = 0; k < groups.length; k++) {
          Conv2d c = convs[k];
          long t0 = System.nanoTime();
          for (int i = 0; i < reps; i++) {
            c.forward(x, n, w, b, y, workspace);
          }
          long t1 = System.nanoTime();
          for (int i = 0; i < reps; i++) {
            c.backward(x, dy, n, w, dw, db, dx, workspace);
          }
          long t2 = System.nanoTime();
          if (r >= 0) {
            fwd[k][r] = (t1 - t0) / 1e3 / reps;
            bwd[k][r] = (t2 - t1) / 1e3 / reps;
          }
        }
      }
      for (int k = 0; k < groups.length; k++) {
        Arrays.sort(fwd[k]);
        Arrays.sort(bwd[k]);
        System.out.printf(Locale.ROOT, "[conv timing] %-28s group %3s (%2d/%2d)  forward %8.1f µs "
            + "(%5.1f GFLOP/s)  backward %8.1f µs  workspace %.2f MB%n", Arrays.toString(s),
            groups[k] < 0 ? "def" : Integer.toString(Math.min(groups[k], n)),
            convs[k].forwardGroup(n), convs[k].backwardGroup(n), fwd[k][ROUNDS / 2], flops / fwd[k][ROUNDS / 2] / 1e3,
            bwd[k][ROUNDS / 2], convs[k].workspaceElements(n) * 4e-6);
      }
    }
  }

  private static Tensor random(SplitMix64 rng, long... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.length(); i++) {
      t.set(i, (float) rng.nextGaussian());
    }
    return t;
  }
}
