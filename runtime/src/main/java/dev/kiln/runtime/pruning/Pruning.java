package dev.kiln.runtime.pruning;

import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * The selection rules of PyTorch's {@code torch.nn.utils.prune} on Kiln's masks (float32, 1 =
 * kept, 0 = pruned; the pruned tensor is {@code weight·mask}):
 *
 * <ul>
 *   <li>{@link #l1Unstructured}: {@code prune.l1_unstructured}, the entries of smallest {@code
 *       |w|}; applied again to the same mask it prunes among the still-unpruned entries, as
 *       PyTorch's {@code PruningContainer} does;
 *   <li>{@link #globalUnstructured}: {@code prune.global_unstructured} with {@code L1Unstructured},
 *       {@code |w|} ranked over several tensors together;
 *   <li>{@link #lnStructured}: {@code prune.ln_structured(n=2)}, whole slices of smallest L2 norm.
 * </ul>
 *
 * <p>Counts are {@code round(amount·n)} with Python's round, which rounds halves to even ({@link
 * #count}). Entries already pruned rank below every unpruned one, so a mask only grows. Ties in
 * magnitude are broken by position (lower index, then earlier tensor, pruned first); PyTorch's
 * {@code topk} leaves them unspecified. These methods allocate their scratch arrays and are for
 * one-off use; {@link MagnitudePruner} keeps its own, preallocated, for training.
 */
public final class Pruning {
  private Pruning() {}

  /** The rank key of an entry already pruned: below every magnitude or norm. */
  static final double PRUNED = -1;

  /**
   * {@code round(amount·n)} with round-half-to-even, as Python's {@code round}: 2.5 → 2, 3.5 → 4.
   * The product is taken in double, as Python does ({@code 0.3·48 = 14.399999999999999} → 14).
   *
   * @throws IllegalArgumentException unless {@code amount} is in [0, 1] and {@code n ≥ 0}
   */
  public static int count(double amount, int n) {
    if (!(amount >= 0 && amount <= 1) || n < 0) {
      throw new IllegalArgumentException("expected an amount in [0, 1] and n >= 0, got amount "
          + amount + ", n " + n);
    }
    return (int) Math.rint(amount * n);
  }

  /**
   * Prunes {@code round(amount·r)} more entries of {@code weight}, those of smallest {@code |w|}
   * among the {@code r} entries {@code mask} still keeps, and writes the new mask. With an all-ones
   * mask this is {@code prune.l1_unstructured(module, 'weight', amount)}.
   *
   * @param mask same shape as {@code weight}, 0/1; updated in place
   * @return the number of entries pruned in total
   */
  public static int l1Unstructured(Tensor weight, Tensor mask, double amount) {
    return globalUnstructured(new Tensor[] {weight}, new Tensor[] {mask}, amount);
  }

  /**
   * {@code prune.global_unstructured(..., L1Unstructured, amount)}: ranks {@code |w|} over all
   * {@code weights} together and prunes {@code round(amount·r)} more of the {@code r} entries the
   * masks still keep.
   *
   * @param masks one per weight, same shapes, 0/1; updated in place
   * @return the number of entries pruned in total over all tensors
   */
  public static int globalUnstructured(Tensor[] weights, Tensor[] masks, double amount) {
    int total = 0;
    int pruned = 0;
    for (int t = 0; t < weights.length; t++) {
      checkSameLength(weights[t], masks[t]);
      total += weights[t].length();
      pruned += zeros(masks[t], weights[t].length());
    }
    double[] keys = new double[total];
    int at = 0;
    for (int t = 0; t < weights.length; t++) {
      at = magnitudeKeys(weights[t], masks[t], keys, at);
    }
    int k = pruned + count(amount, total - pruned);
    Selection s = Selection.of(keys, new double[total], total, k);
    at = 0;
    for (int t = 0; t < weights.length; t++) {
      at = s.assign(keys, at, masks[t], weights[t].length());
    }
    return k;
  }

  /**
   * {@code prune.ln_structured(module, 'weight', amount, n=2, dim)}: the tensor is viewed as
   * {@code [outer, slices, inner]} (for PyTorch's {@code dim = d}: {@code outer} the product of
   * the sizes before {@code d}, {@code inner} of those after); the {@code round(amount·r)} slices
   * of smallest L2 norm among the {@code r} still kept are pruned whole. A Kiln dense weight
   * {@code [in, out]} has its output units along axis 1: {@code outer = in, slices = out, inner =
   * 1} ({@code nn.Linear.weight [out, in]} with {@code dim = 0}).
   *
   * @param mask same shape as {@code weight}, 0/1, constant over each slice; updated in place
   * @param norms output, the L2 norm of each slice of {@code weight} ({@code slices} values); may
   *     be null
   * @return the number of slices pruned in total
   */
  public static int lnStructured(Tensor weight, Tensor mask, double amount, int outer,
      int slices, int inner, double[] norms) {
    checkSameLength(weight, mask);
    if ((long) outer * slices * inner != weight.length()) {
      throw new IllegalArgumentException("view [" + outer + ", " + slices + ", " + inner
          + "] does not cover " + weight.length() + " elements");
    }
    double[] keys = new double[slices];
    int pruned = sliceKeys(weight, mask, outer, slices, inner, keys, 0, norms);
    int k = pruned + count(amount, slices - pruned);
    Selection s = Selection.of(keys, new double[slices], slices, k);
    s.assignSlices(keys, 0, mask, outer, slices, inner);
    return k;
  }

  /**
   * Writes {@code |w|} of each entry (or {@link #PRUNED} where the mask is 0; NaN ranks as +∞)
   * into {@code keys} from {@code at}; returns the next free position.
   */
  static int magnitudeKeys(Tensor weight, Tensor mask, double[] keys, int at) {
    FloatBuffer w = weight.data();
    FloatBuffer m = mask.data();
    int n = weight.length();
    for (int i = 0; i < n; i++) {
      float v = Math.abs(w.get(i));
      keys[at + i] = m.get(i) == 0f ? PRUNED : v != v ? Double.POSITIVE_INFINITY : v;
    }
    return at + n;
  }

  /**
   * Writes the L2 norm of each slice of the {@code [outer, slices, inner]} view (or {@link #PRUNED}
   * for a slice the mask prunes) into {@code keys} from {@code at}, and the raw norms into {@code
   * norms} when not null; returns the number of slices already pruned.
   */
  static int sliceKeys(Tensor weight, Tensor mask, int outer, int slices, int inner,
      double[] keys, int at, double[] norms) {
    FloatBuffer w = weight.data();
    FloatBuffer m = mask.data();
    int pruned = 0;
    for (int s = 0; s < slices; s++) {
      keys[at + s] = 0;
    }
    for (int o = 0; o < outer; o++) {
      int base = o * slices * inner;
      for (int s = 0; s < slices; s++) {
        int start = base + s * inner;
        double sum = 0;
        for (int i = 0; i < inner; i++) {
          double v = w.get(start + i);
          sum += v * v;
        }
        keys[at + s] += sum;
      }
    }
    for (int s = 0; s < slices; s++) {
      double norm = Math.sqrt(keys[at + s]);
      if (norms != null) {
        norms[s] = norm;
      }
      boolean isPruned = m.get(s * inner) == 0f;
      keys[at + s] = isPruned ? PRUNED : norm != norm ? Double.POSITIVE_INFINITY : norm;
      if (isPruned) {
        pruned++;
      }
    }
    return pruned;
  }

  private static int zeros(Tensor mask, int n) {
    FloatBuffer m = mask.data();
    int z = 0;
    for (int i = 0; i < n; i++) {
      if (m.get(i) == 0f) {
        z++;
      }
    }
    return z;
  }

  private static void checkSameLength(Tensor weight, Tensor mask) {
    if (weight.length() != mask.length()) {
      throw new IllegalArgumentException("mask has " + mask.length() + " elements, weight "
          + weight.length());
    }
  }

  /**
   * The {@code k} smallest of a key array: every key below {@code threshold}, then the first
   * {@code ties} keys equal to it in order. Made by {@link #of}, which selects in {@code O(n)}
   * expected time on a scratch copy (quickselect with a three-way partition, so the many equal
   * keys of pruned entries cost nothing extra), allocating nothing.
   */
  static final class Selection {
    private double threshold;
    private int ties;

    /** Reused by {@link MagnitudePruner}; {@link #select} overwrites it. */
    Selection() {}

    static Selection of(double[] keys, double[] scratch, int length, int k) {
      Selection s = new Selection();
      s.select(keys, 0, scratch, length, k);
      return s;
    }

    /**
     * Selects the {@code k} smallest of {@code keys[from..from+length)} ({@code 0 ≤ k ≤ length}),
     * using {@code scratch} (at least {@code length} long) as working space.
     */
    void select(double[] keys, int from, double[] scratch, int length, int k) {
      if (k < 0 || k > length) {
        throw new IllegalArgumentException("cannot select " + k + " of " + length);
      }
      if (k == 0) {
        threshold = Double.NEGATIVE_INFINITY;
        ties = 0;
        return;
      }
      System.arraycopy(keys, from, scratch, 0, length);
      threshold = kth(scratch, length, k - 1);
      int below = 0;
      for (int i = from; i < from + length; i++) {
        if (keys[i] < threshold) {
          below++;
        }
      }
      ties = k - below;
    }

    /**
     * Writes mask entries {@code [0, n)} for the keys from {@code at}: 0 for a selected key, else
     * 1. Returns the next key position.
     */
    int assign(double[] keys, int at, Tensor mask, int n) {
      FloatBuffer m = mask.data();
      for (int i = 0; i < n; i++) {
        m.put(i, selected(keys[at + i]) ? 0f : 1f);
      }
      return at + n;
    }

    /** As {@link #assign} for the slices of an {@code [outer, slices, inner]} view. */
    int assignSlices(double[] keys, int at, Tensor mask, int outer, int slices, int inner) {
      FloatBuffer m = mask.data();
      for (int s = 0; s < slices; s++) {
        float value = selected(keys[at + s]) ? 0f : 1f;
        for (int o = 0; o < outer; o++) {
          int start = (o * slices + s) * inner;
          for (int i = 0; i < inner; i++) {
            m.put(start + i, value);
          }
        }
      }
      return at + slices;
    }

    private boolean selected(double key) {
      if (key < threshold) {
        return true;
      }
      if (key == threshold && ties > 0) {
        ties--;
        return true;
      }
      return false;
    }

    /** The {@code k}-th smallest (0-based) of {@code a[0..n)}, reordering {@code a}. */
    static double kth(double[] a, int n, int k) {
      int lo = 0;
      int hi = n;
      while (hi - lo > 1) {
        double x = a[lo];
        double y = a[(lo + hi) >>> 1];
        double z = a[hi - 1];
        double pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
        int lt = lo;
        int i = lo;
        int gt = hi;
        while (i < gt) {
          double v = a[i];
          if (v < pivot) {
            a[i++] = a[lt];
            a[lt++] = v;
          } else if (v > pivot) {
            a[i] = a[--gt];
            a[gt] = v;
          } else {
            i++;
          }
        }
        if (k < lt) {
          hi = lt;
        } else if (k >= gt) {
          lo = gt;
        } else {
          return pivot;
        }
      }
      return a[lo];
    }
  }
}
