package dev.kiln.processor.write;

import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.write.Parameters.Param;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which buffers a trainer needs and what they are called. Each layer's training ops ({@link
 * Fusions}) are wired in order, each reading what the op before it wrote: an op names the buffers
 * it writes by role ({@code pre}: the dense output, normalised in place by batch norm; {@code
 * xhat}: batch norm's normalised input; {@code out}: after activation and dropout; {@code mask}:
 * dropout's), and ops naming the same role share one buffer. Then {@code delta}, the gradient of
 * the loss with respect to the layer's output, reused in place down the layer. A layer without
 * ops passes its input on.
 */
final class TrainerLayout {
  record Buffer(String name, String shapeCode, String doc) {}

  /**
   * One layer's wiring.
   *
   * @param in the buffer the layer reads (the previous layer's {@code out}, or {@code input})
   * @param out the buffer holding its output
   * @param delta the gradient of the loss with respect to {@code out}
   * @param ops its training ops, wired, in forward order
   */
  record LayerBuffers(String in, String out, String delta, List<LayerOp> ops) {}

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
      "TEMPERATURE", "ALPHA", "trainingState", "scheduleState", "restoreScheduleState",
      "labelSmoothing", "minimumRows", "outputBuffer", "Config", "length", "tokens", "targets"));
  private final List<Buffer> buffers = new ArrayList<>();
  private final Map<String, LayerBuffers> layers = new LinkedHashMap<>();
  private final String batch = "BATCH_SIZE";

  TrainerLayout(NetworkSpec spec) {
    buffers.add(new Buffer("inputBuffer", batch + ", " + spec.inputs(),
        "The feature buffer {@code [BATCH_SIZE, " + spec.inputs()
            + "]} ({@link #featureBuffer})."));
    buffers.add(new Buffer("target", batch + ", " + spec.labelWidth(),
        (spec.tokens() ? "Target token ids of the current batch, packed {@code [n, length]} in"
            : "Labels of the current batch") + " {@code [BATCH_SIZE, " + spec.labelWidth()
            + "]}."));
    String in = "input";
    for (LayerSpec layer : spec.layers()) {
      List<LayerOp> ops = Fusions.trainingOps(layer);
      Map<String, Long> sizes = new LinkedHashMap<>();
      LayerOp.Wiring wiring = (role, shape, doc) -> {
        // after pooling the same role holds a smaller shape: its own buffer, "pooled<Role>"
        String key = sizes.getOrDefault(role, shape.size()) == shape.size() ? role
            : "pooled" + Character.toUpperCase(role.charAt(0)) + role.substring(1);
        String name = name(layer, key);
        if (sizes.putIfAbsent(key, shape.size()) == null) {
          activation(layer, key, (int) shape.size(), doc);
        }
        return name;
      };
      String out = in;
      for (LayerOp op : ops) {
        out = op.wire(wiring, out);
      }
      String delta = activation(layer, "delta", (int) layer.output().size(),
          "gradient of the loss w.r.t. the layer output");
      layers.put(layer.name(), new LayerBuffers(in, out, delta, ops));
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

  /** The wiring of the layer named {@code name} (wired before any layer after it). */
  LayerBuffers of(String name) {
    return layers.get(name);
  }

  String name(LayerSpec layer, String role) {
    return members.name(layer.name(), role);
  }

  String grad(Param p) {
    return members.name(p.layer().name(), p.role() + "Grad");
  }

}
