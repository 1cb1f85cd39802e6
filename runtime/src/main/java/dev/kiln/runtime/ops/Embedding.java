package dev.kiln.runtime.ops;

import dev.kiln.runtime.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * Token and learned position embeddings, as PyTorch's {@code nn.Embedding(V, D)} (a lookup of
 * rows of a {@code [V, D]} table) and GPT-2's learned position table {@code [context, D]} added to
 * it. Token ids are whole numbers held by a float {@link Tensor} (as a batch's features arrive) or
 * an {@code int[]}; {@code count = n·T} ids give {@code [n, T, D]} outputs. Every id is checked
 * before anything is written. Nothing is allocated.
 */
public final class Embedding {
  private Embedding() {}

  /**
   * {@code out[i, :] = table[ids[i], :]} for the first {@code count} ids.
   *
   * @param ids token ids {@code [n, T]} (or any shape of {@code count} elements), whole numbers
   * @param count number of ids, {@code n·T}
   * @param steps {@code T}, used only to name a bad id's (sample, step) in the message; 0 if none
   * @param table {@code [V, D]}
   * @param rows {@code V}
   * @param width {@code D}
   * @param out output {@code [n, T, D]}, overwritten
   * @throws IllegalArgumentException for an id that is not a whole number in {@code [0, V)} (naming
   *     its position), bad sizes or a tensor smaller than its shape, before anything is written
   */
  public static void forward(Tensor ids, int count, int steps, Tensor table, int rows, int width,
      Tensor out) {
    checkSizes("embedding", count, rows, width);
    Checks.require("embedding", "ids", ids, count);
    Checks.require("embedding", "table", table, (long) rows * width);
    Checks.require("embedding", "out", out, (long) count * width);
    FloatBuffer idb = ids.data();
    for (int i = 0; i < count; i++) {
      Checks.index("embedding", "token id", idb.get(i), rows, i, steps);
    }
    FloatBuffer tb = table.data();
    FloatBuffer ob = out.data();
    for (int i = 0; i < count; i++) {
      ob.put(i * width, tb, (int) idb.get(i) * width, width);
    }
  }

  /** {@link #forward(Tensor, int, int, Tensor, int, int, Tensor)} with ids in an array. */
  public static void forward(int[] ids, int count, int steps, Tensor table, int rows, int width,
      Tensor out) {
    checkSizes("embedding", count, rows, width);
    checkIds("embedding", ids, count, steps, rows);
    Checks.require("embedding", "table", table, (long) rows * width);
    Checks.require("embedding", "out", out, (long) count * width);
    FloatBuffer tb = table.data();
    FloatBuffer ob = out.data();
    for (int i = 0; i < count; i++) {
      ob.put(i * width, tb, ids[i] * width, width);
    }
  }

  /**
   * Gradient of the table: {@code tableGrad[v, :] = Σ_{i: ids[i] = v} dy[i, :]} (zero for ids that
   * do not occur); repeated ids accumulate, in position order, as PyTorch's dense embedding
   * backward.
   *
   * @param dy gradient with respect to the output, {@code [n, T, D]}
   * @param tableGrad output {@code [V, D]}, overwritten
   * @throws IllegalArgumentException as {@link #forward(Tensor, int, int, Tensor, int, int,
   *     Tensor)}
   */
  public static void backward(Tensor ids, int count, int steps, Tensor dy, int rows, int width,
      Tensor tableGrad) {
    checkSizes("embedding backward", count, rows, width);
    Checks.require("embedding backward", "ids", ids, count);
    Checks.require("embedding backward", "dy", dy, (long) count * width);
    Checks.require("embedding backward", "tableGrad", tableGrad, (long) rows * width);
    FloatBuffer idb = ids.data();
    for (int i = 0; i < count; i++) {
      Checks.index("embedding backward", "token id", idb.get(i), rows, i, steps);
    }
    FloatBuffer db = dy.data();
    FloatBuffer gb = tableGrad.data();
    zero(gb, rows * width);
    for (int i = 0; i < count; i++) {
      int row = (int) idb.get(i) * width;
      int from = i * width;
      for (int j = 0; j < width; j++) {
        gb.put(row + j, gb.get(row + j) + db.get(from + j));
      }
    }
  }

  /** {@link #backward(Tensor, int, int, Tensor, int, int, Tensor)} with ids in an array. */
  public static void backward(int[] ids, int count, int steps, Tensor dy, int rows, int width,
      Tensor tableGrad) {
    checkSizes("embedding backward", count, rows, width);
    checkIds("embedding backward", ids, count, steps, rows);
    Checks.require("embedding backward", "dy", dy, (long) count * width);
    Checks.require("embedding backward", "tableGrad", tableGrad, (long) rows * width);
    FloatBuffer db = dy.data();
    FloatBuffer gb = tableGrad.data();
    zero(gb, rows * width);
    for (int i = 0; i < count; i++) {
      int row = ids[i] * width;
      int from = i * width;
      for (int j = 0; j < width; j++) {
        gb.put(row + j, gb.get(row + j) + db.get(from + j));
      }
    }
  }

  /**
   * Adds the learned position embedding: {@code x[s, p, :] += positions[p, :]} for every sample
   * {@code s < n} and position {@code p < steps}.
   *
   * @param positions the table {@code [context, D]}, {@code steps ≤ context}
   * @param x {@code [n, steps, D]} (the token embedding), updated in place
   * @throws IllegalArgumentException for bad sizes, {@code steps > context} or a tensor smaller
   *     than its shape
   */
  public static void addPositions(Tensor positions, int context, int n, int steps, int width,
      Tensor x) {
    checkPositions("position embedding", positions, context, n, steps, width);
    Checks.require("position embedding", "x", x, (long) n * steps * width);
    FloatBuffer pb = positions.data();
    FloatBuffer xb = x.data();
    int span = steps * width;
    for (int s = 0; s < n; s++) {
      int base = s * span;
      for (int i = 0; i < span; i++) {
        xb.put(base + i, xb.get(base + i) + pb.get(i));
      }
    }
  }

  /**
   * Adds the learned embedding of one position, as a generation step needs it: {@code x[0, :] +=
   * positions[position, :]}.
   *
   * @param positions the table {@code [context, D]}
   * @param position {@code 0 ≤ position < context}
   * @param x {@code [D]} (one token's embedding), updated in place
   * @throws IllegalArgumentException for a position outside {@code [0, context)}, bad sizes or a
   *     tensor smaller than its shape
   */
  public static void addPosition(Tensor positions, int context, int position, int width,
      Tensor x) {
    checkPositions("position embedding", positions, context, 1, 1, width);
    if (position < 0 || position >= context) {
      throw new IllegalArgumentException("position embedding: expected a position in [0, "
          + context + "), got " + position);
    }
    Checks.require("position embedding", "x", x, width);
    FloatBuffer pb = positions.data();
    FloatBuffer xb = x.data();
    int from = position * width;
    for (int i = 0; i < width; i++) {
      xb.put(i, xb.get(i) + pb.get(from + i));
    }
  }

  /**
   * Gradient of the position table: {@code positionsGrad[p, :] = Σ_s dy[s, p, :]} for {@code p <
   * steps} (summed in double), zero for the rows {@code steps..context-1} that were not used.
   *
   * @param dy gradient with respect to the embedding output, {@code [n, steps, D]}
   * @param positionsGrad output {@code [context, D]}, overwritten
   * @throws IllegalArgumentException as {@link #addPositions}
   */
  public static void positionsBackward(Tensor dy, int n, int steps, int width,
      Tensor positionsGrad, int context) {
    checkPositions("position embedding backward", positionsGrad, context, n, steps, width);
    Checks.require("position embedding backward", "dy", dy, (long) n * steps * width);
    FloatBuffer db = dy.data();
    FloatBuffer gb = positionsGrad.data();
    int span = steps * width;
    for (int i = 0; i < span; i++) {
      double sum = 0;
      for (int s = 0, at = i; s < n; s++, at += span) {
        sum += db.get(at);
      }
      gb.put(i, (float) sum);
    }
    for (int i = span; i < context * width; i++) {
      gb.put(i, 0f);
    }
  }

  private static void checkSizes(String kernel, int count, int rows, int width) {
    Checks.positive(kernel, "count", count);
    Checks.positive(kernel, "rows (vocabulary)", rows);
    Checks.positive(kernel, "width", width);
  }

  private static void checkIds(String kernel, int[] ids, int count, int steps, int rows) {
    if (ids == null) {
      throw new NullPointerException(kernel + ": ids is null");
    }
    if (ids.length < count) {
      throw new IllegalArgumentException(kernel + ": ids has " + ids.length + " elements; "
          + count + " needed");
    }
    for (int i = 0; i < count; i++) {
      Checks.index(kernel, "token id", ids[i], rows, i, steps);
    }
  }

  private static void checkPositions(String kernel, Tensor table, int context, int n, int steps,
      int width) {
    Checks.positive(kernel, "n", n);
    Checks.positive(kernel, "steps", steps);
    Checks.positive(kernel, "width", width);
    if (steps > context) {
      throw new IllegalArgumentException(kernel + ": " + steps
          + " steps exceed the context of " + context + " positions");
    }
    Checks.require(kernel, "position table", table, (long) context * width);
  }

  private static void zero(FloatBuffer b, int count) {
    for (int i = 0; i < count; i++) {
      b.put(i, 0f);
    }
  }
}
