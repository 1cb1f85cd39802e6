package dev.kiln.runtime.ops;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.SplitMix64;
import dev.kiln.runtime.Tensor;
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
    System.out.println("[conv timing] threads " + dev.kiln.runtime.NativeKernels.threads());
    for (int[] s : SHAPES) {
      int n = s[0];
      for (int group : new int[] {1, 4, 16, n, -1}) {
        if (group > n) {
          continue;
        }
        Conv2d conv = new Conv2d(new Window2d("conv2d", s[1], s[2], s[3], s[5], s[5], 1, 1, s[6],
            s[6]), s[4], group);
        SplitMix64 rng = new SplitMix64(1);
        Tensor x = random(rng, n, s[1], s[2], s[3]);
        Tensor w = random(rng, s[4], s[1], s[5], s[5]);
        Tensor b = random(rng, s[4]);
        Tensor y = Tensor.zeros(n, s[4], conv.outHeight(), conv.outWidth());
        Tensor dy = random(rng, n, s[4], conv.outHeight(), conv.outWidth());
        Tensor dx = Tensor.zeros(n, s[1], s[2], s[3]);
        Tensor dw = Tensor.zeros(s[4], s[1], s[5], s[5]);
        Tensor db = Tensor.zeros(s[4]);
        Tensor work = Tensor.zeros(conv.workspaceElements(n));
        long flops = 2L * n * s[4] * s[1] * s[5] * s[5] * conv.outHeight() * conv.outWidth();
        int reps = (int) Math.max(5, Math.min(2000, 2e8 / flops));
        double[] fwd = new double[ROUNDS];
        double[] bwd = new double[ROUNDS];
        for (int r = -2; r < ROUNDS; r++) { // two rounds of warm-up
          long t0 = System.nanoTime();
          for (int i = 0; i < reps; i++) {
            conv.forward(x, n, w, b, y, work);
          }
          long t1 = System.nanoTime();
          for (int i = 0; i < reps; i++) {
            conv.backward(x, dy, n, w, dw, db, dx, work);
          }
          long t2 = System.nanoTime();
          if (r >= 0) {
            fwd[r] = (t1 - t0) / 1e3 / reps;
            bwd[r] = (t2 - t1) / 1e3 / reps;
          }
        }
        Arrays.sort(fwd);
        Arrays.sort(bwd);
        System.out.printf(Locale.ROOT, "[conv timing] %-28s group %3s  forward %8.1f µs (%5.1f "
            + "GFLOP/s)  backward %8.1f µs  workspace %.2f MB%n", Arrays.toString(s),
            group < 0 ? "def" : Integer.toString(group), fwd[ROUNDS / 2],
            flops / fwd[ROUNDS / 2] / 1e3, bwd[ROUNDS / 2], conv.workspaceElements(n) * 4e-6);
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
