package dev.kiln.runtime.testing;

import dev.kiln.runtime.testing.Golden;
import java.util.Locale;

/**
 * Compares kernel results with a golden family through {@link Golden#assertAllClose} and records
 * how close the results came: the largest relative error {@code |a - e|/|e|} (over expected values
 * large enough that {@code rtol·|e| ≥ atol}, where the relative part of the tolerance governs) and
 * the largest share of the tolerance budget {@code |a - e|/(atol + rtol·|e|)} used, over all
 * finite expected values. The summary is printed by the test classes so that drift towards the limits is visible.
 */
public final class GoldenCheck {
  private final String family;
  private double maxRelative;
  private double maxBudget;
  private String worst = "-";
  private long values;

  public GoldenCheck(String family) {
    this.family = family;
  }

  public void check(String what, float[] actual, double[] expected, double rtol, double atol) {
    double[] a = new double[actual.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = actual[i];
    }
    check(what, a, expected, rtol, atol);
  }

  public void check(String what, double[] actual, double[] expected, double rtol, double atol) {
    Golden.assertAllClose(what, actual, expected, rtol, atol);
    for (int i = 0; i < actual.length; i++) {
      double e = expected[i];
      values++;
      if (!Double.isFinite(e) || (rtol == 0 && atol == 0)) { // exact checks: nothing to measure
        continue;
      }
      double diff = Math.abs(actual[i] - e);
      double budget = diff / (atol + rtol * Math.abs(e));
      if (budget > maxBudget) {
        maxBudget = budget;
        worst = what + "[" + i + "]";
      }
      if (e != 0 && Math.abs(e) * rtol >= atol) { // where rtol, not atol, governs
        maxRelative = Math.max(maxRelative, diff / Math.abs(e));
      }
    }
  }

  public void check(String what, double actual, double expected, double rtol, double atol) {
    check(what, new double[] {actual}, new double[] {expected}, rtol, atol);
  }

  public long values() {
    return values;
  }

  public double maxBudget() {
    return maxBudget;
  }

  public String summary() {
    return String.format(Locale.ROOT,
        "[golden] %s: %d values, max relative error %.3g, max tolerance share %.1f%% (at %s)",
        family, values, maxRelative, 100 * maxBudget, worst);
  }
}
