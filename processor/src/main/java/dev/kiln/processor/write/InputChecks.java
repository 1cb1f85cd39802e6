package dev.kiln.processor.write;

import com.palantir.javapoet.MethodSpec;
import dev.kiln.processor.model.Specs.TrainingSpec;

/**
 * Statements at the start of a step that check the batch's values before any state changes:
 * features finite, labels fit for the loss (a distribution per row for softmax cross-entropy,
 * values in [0, 1] for binary cross-entropy, finite for MSE).
 */
final class InputChecks {
  private InputChecks() {}

  static void addStatements(MethodSpec.Builder m, TrainingSpec spec) {
    if (spec.network().tokens()) {
      for (String[] b : new String[][] {{"tokens", "input"}, {"targets", "target"}}) {
        m.addStatement("$T.checkIds($S, $L, n, length, $L, iteration)", RuntimeNames.TOKEN_INPUT,
            b[0], b[1], spec.network().vocabulary());
      }
      return;
    }
    m.addStatement("$T.checkFinite($S, input, n, $L, iteration)", RuntimeNames.BATCH_INPUT,
        "features", spec.network().inputs());
    m.addStatement("$T.checkLabels($T.$L, target, n, $L, iteration)", RuntimeNames.BATCH_INPUT,
        RuntimeNames.LOSS_KIND, spec.loss(), spec.network().outputs());
  }
}
