package dev.kiln.samples.cli;

import dev.kiln.runtime.train.Evaluation;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The classification report printed after training and by {@code evaluate}. */
final class Report {
  private Report() {}

  /** Per-class precision, recall, F1 and support, then accuracy, macro F1 and the loss. */
  static void print(PrintStream out, String title, Evaluation e, List<String> classes) {
    int[][] m = e.confusionMatrix();
    out.println(title);
    out.printf(Locale.ROOT, "  %-14s %9s %9s %9s %8s%n", "class", "precision", "recall", "f1",
        "support");
    for (int c = 0; c < m.length; c++) {
      int support = 0;
      for (int p = 0; p < m.length; p++) {
        support += m[c][p];
      }
      out.printf(Locale.ROOT, "  %-14s %9.4f %9.4f %9.4f %8d%n", name(classes, c),
          e.precision(c), e.recall(c), e.f1(c), support);
    }
    out.printf(Locale.ROOT, "  accuracy %.4f  macro F1 %.4f  loss %.4f  (%d samples)%n",
        e.accuracy(), e.macroF1(), e.loss(), e.samples());
  }

  static String name(List<String> classes, int c) {
    return c < classes.size() ? classes.get(c) : String.valueOf(c);
  }
}
