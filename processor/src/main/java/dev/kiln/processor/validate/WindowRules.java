package dev.kiln.processor.validate;

import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Window;
import dev.kiln.processor.read.Attr;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The checks a sliding window shares ({@code @Conv2d}, {@code @MaxPool}, {@code @AvgPool}): one or
 * two values per member, kernel and stride at least 1, padding at least 0, and a window that fits
 * the padded input. Each error is reported on the member's value.
 */
final class WindowRules {
  private WindowRules() {}

  /**
   * The member's {@code {h, w}} (one value means both), or null where it has the wrong count or a
   * value below {@code minimum} (reported).
   */
  static int[] pair(Attr<int[]> attr, String annotation, String member, int minimum,
      Reporter reporter) {
    int[] v = attr.value();
    if (v.length != 1 && v.length != 2) {
      reporter.error(attr, Diagnostic.WINDOW_ARITY, annotation, member, text(v), v.length);
      return null;
    }
    if (Arrays.stream(v).anyMatch(x -> x < minimum)) {
      reporter.error(attr, Diagnostic.WINDOW_VALUE, annotation, member, text(v), minimum);
      return null;
    }
    return v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
  }

  /**
   * Checks that the window fits the padded input on both axes (else the output size would be
   * below 1), reported on {@code at}; returns whether it does.
   */
  static boolean fits(Window w, Shape input, Attr<int[]> at, String annotation, String member,
      Reporter reporter) {
    String[] axes = {"height", "width"};
    int[] in = {input.dim(1), input.dim(2)};
    int[] k = {w.kernelH(), w.kernelW()};
    int[] s = {w.strideH(), w.strideW()};
    int[] p = {w.padH(), w.padW()};
    for (int a = 0; a < 2; a++) {
      int out = Window.outSize(in[a], k[a], s[a], p[a]);
      if (out < 1) {
        String word = member.equals("size") ? "window" : "kernel";
        reporter.error(at, Diagnostic.KERNEL_TOO_LARGE, annotation, member, text(at.value()),
            input, axes[a], out, in[a], p[a], word, k[a], s[a], word, in[a] + 2 * p[a], word);
        return false;
      }
    }
    return true;
  }

  /** The value as written: {@code 3} or {@code {3, 5}}. */
  static String text(int[] v) {
    return v.length == 1 ? Integer.toString(v[0])
        : Arrays.stream(v).mapToObj(Integer::toString).collect(Collectors.joining(", ", "{", "}"));
  }
}
