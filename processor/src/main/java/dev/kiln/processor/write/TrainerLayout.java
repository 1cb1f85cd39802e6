package dev.kiln.processor.write;

import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.write.Parameters.Param;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which buffers a trainer needs and what they are called. Per layer: {@code pre} (the dense
 * output, normalised in place by batch norm; the activation's input; for dense, batch norm and
 * ReLU in one call it is {@code xhat}, where that call normalises), {@code xhat} (batch norm's
 * normalised input), {@code out} (after activation and dropout; the next layer's input), {@code
 * mask} (dropout), {@code delta} (gradient of the loss with respect to {@code out}, reused in
 * place down the layer). A layer part that needs no buffer of its own aliases the one before.
 */
final class TrainerLayout {
  record Buffer(String name, String shapeCode, String doc) {}

  record LayerBuffers(String in, String pre, String xhat, String out, String mask, String delta) {}

  private final Members members = new Members(List.of("BATCH_SIZE", "EPOCHS", "SEED", "network",
      "schedule", "baseLearningRate", "plannedSteps", "plannedStepsPerEpoch", "newSchedule",
      "scheduleFor", "planRun", "endEpoch", "rate",
      "dropoutRandom", "featuresInput", "labelsInput", "gradients", "iteration",
      "lastGradientNorm", "input", "inputBuffer", "writtenByStep", "target", "step",
      "stepBuffered", "loss", "clipAndRegularize",
      "update", "learningRate", "fit", "evaluate", "predict", "featureBuffer", "labelBuffer",
      "batchSize", "epochs", "seed", "n", "features", "labels", "checkBatch", "parameters",
      "optimizer", "clipper", "accumulator", "batchNormStatistics", "skippedSteps", "rejectBatch",
      "accumulationSteps", "ACCUMULATION_STEPS", "WEIGHT_DECAY", "pruner", "sparsity",
      "overallSparsity", "masks", "compact", "teacher", "teacherBuffers", "teacherLogits",
      "TEMPERATURE", "ALPHA"));
  private final List<Buffer> buffers = new ArrayList<>();
  private final Map<String, LayerBuffers> layers = new LinkedHashMap<>();
  private final String batch = "BATCH_SIZE";

  TrainerLayout(NetworkSpec spec) {
    buffers.add(new Buffer("inputBuffer", batch + ", " + spec.inputs(),
        "The feature buffer {@code [BATCH_SIZE, " + spec.inputs()
            + "]} ({@link #featureBuffer})."));
    buffers.add(new Buffer("target", batch + ", " + spec.outputs(),
        "Labels of the current batch {@code [BATCH_SIZE, " + spec.outputs() + "]}."));
    String in = "input";
    for (LayerSpec layer : spec.layers()) {
      int w = layer.outputs();
      boolean fused = TrainerWriter.batchNormWithRelu(layer);
      String pre = in;
      if (!fused && (layer.dense() != null || layer.batchNorm() != null)) {
        pre = activation(layer, "pre", w, "output of the dense / batch-norm part");
      }
      String xhat = layer.batchNorm() != null
          ? activation(layer, "xhat", w, "batch norm's normalised input") : null;
      if (fused) {
        // denseForwardTrainRelu writes the dense output into xhat and normalises it in place.
        pre = xhat;
      }
      String out = pre;
      if (layer.activation() != null || layer.dropoutRate() != null) {
        out = activation(layer, "out", w, "output after activation and dropout");
      }
      String mask = layer.dropoutRate() != null
          ? activation(layer, "mask", w, "dropout mask: 0 or 1/(1 - rate)") : null;
      String delta = activation(layer, "delta", w, "gradient of the loss w.r.t. the layer output");
      layers.put(layer.name(), new LayerBuffers(in, pre, xhat, out, mask, delta));
      in = out;
    }
    for (Param p : Parameters.trainable(spec)) {
      String shape = Literals.shape(p.shape()).replace("[", "").replace("]", "");
      buffers.add(new Buffer(grad(p), shape, "Gradient of {@code " + p.key() + "}."));
    }
  }

  private String activation(LayerSpec layer, String role, int width, String doc) {
    String name = name(layer, role);
    buffers.add(new Buffer(name, batch + ", " + width,
        "Layer {@code " + layer.name() + "}: " + doc + ", {@code [BATCH_SIZE, " + width + "]}."));
    return name;
  }

  List<Buffer> buffers() {
    return buffers;
  }

  LayerBuffers of(LayerSpec layer) {
    return layers.get(layer.name());
  }

  String name(LayerSpec layer, String role) {
    return members.name(layer.name(), role);
  }

  String grad(Param p) {
    return members.name(p.layer().name(), p.role() + "Grad");
  }

}
