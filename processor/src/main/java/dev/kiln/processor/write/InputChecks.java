package dev.kiln.processor.write;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Specs.TrainingSpec;

/**
 * Statements at the start of a step that check the batch's values before any state changes:
 * features finite, labels fit for the loss (a distribution per row for softmax cross-entropy,
 * values in [0, 1] for binary cross-entropy, finite for MSE).
 */
final class InputChecks {
  private InputChecks() {}

  /**
   * The check of a {@code features} argument that returns its row count: {@code [n, inputs]}, or
   * for images {@code [n, C, H, W]} or {@code [n, C·H·W]} ({@code BatchInput.checkImageRows}).
   *
   * @param inputs the code of the network's {@code INPUTS}
   * @param batch the code of the largest row count
   */
  static CodeBlock featureRows(Shape input, CodeBlock inputs, CodeBlock batch) {
    if (input.rank() == 3) {
      return CodeBlock.of("$T.checkImageRows($S, features, $L, $L, $L, $L)",
          RuntimeNames.BATCH_INPUT, "features", input.dim(0), input.dim(1), input.dim(2), batch);
    }
    return CodeBlock.of("$T.checkRows($S, features, $L, $L)", RuntimeNames.BATCH_INPUT,
        "features", inputs, batch);
  }

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
