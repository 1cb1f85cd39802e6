package dev.kiln.processor.write;

import com.palantir.javapoet.MethodSpec;
import dev.kiln.processor.model.OptimizerSpec;
import dev.kiln.processor.model.RegularizationSpec;
import dev.kiln.processor.model.RegularizationSpec.LayerOverride;
import dev.kiln.processor.model.RegularizationSpec.Term;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import dev.kiln.processor.model.Specs.TrainingSpec;
import dev.kiln.processor.write.Parameters.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Generated code for regularization: coupled {@code @L1}/{@code @L2} gradient terms (added after
 * clipping), the per-parameter coefficients of decoupled {@code @WeightDecay} handed to the
 * optimizer, and which parameters are updated at all ({@code @Frozen} layers are not). Per-layer
 * overrides are resolved here, at generation time, so the step holds one statement per affected
 * parameter and no lookups.
 */
final class RegularizationCode {
  private RegularizationCode() {}

  /**
   * The parameters a trainer updates: every trainable one outside {@code @Frozen} layers, in
   * network order. The trainer's {@code ParameterSet}, and so clipping, the gradient norm and the
   * optimizer, hold exactly these.
   */
  static List<Param> updated(NetworkSpec network) {
    return Parameters.trainable(network).stream()
        .filter(p -> !p.layer().training().frozen()).toList();
  }

  /**
   * The index of the first layer with parameters the trainer updates: backward stops there, as
   * the layers before it (a {@code @Frozen} prefix, or layers without parameters) need no
   * gradients. The layer count when nothing is updated.
   */
  static int firstUpdatedLayer(NetworkSpec network) {
    List<Param> params = updated(network);
    return params.isEmpty() ? network.layers().size()
        : network.layers().indexOf(params.get(0).layer());
  }

  /**
   * Adds {@code Regularization.addL1/addL2} statements for every affected parameter; L2 only when
   * the optimizer does not take it ({@link #l2InOptimizer}).
   */
  static void addStatements(MethodSpec.Builder m, TrainingSpec training, NetworkLayout net,
      TrainerLayout layout) {
    RegularizationSpec spec = training.regularization();
    boolean l2Separately = !l2InOptimizer(training);
    for (Param p : updated(training.network())) {
      Term l1 = spec.l1For(p.layer().training());
      Term l2 = spec.l2For(p.layer().training());
      if (l1.appliesTo(p.isWeight())) {
        m.addStatement("$T.addL1(network.$N, $N, $L, $L)", RuntimeNames.REGULARIZATION,
            net.field(p), layout.grad(p), p.length(), Literals.of(l1.value()));
      }
      if (l2Separately && l2.appliesTo(p.isWeight())) {
        m.addStatement("$T.addL2(network.$N, $N, $L, $L)", RuntimeNames.REGULARIZATION,
            net.field(p), layout.grad(p), p.length(), Literals.of(l2.value()));
      }
    }
  }

  /**
   * Whether coupled L2 goes into the optimizer's update rather than into the gradients: with SGD,
   * whose update adds {@code λ·w} to the gradient in the same pass (as PyTorch's {@code
   * SGD(weight_decay=λ)}; one pass over each parameter fewer). The sum is the same float
   * arithmetic as {@code Regularization.addL2}, after clipping and L1 as before, so the training
   * is bitwise the same; only the gradient buffers keep the data-loss gradients.
   */
  static boolean l2InOptimizer(TrainingSpec training) {
    return training.optimizer() instanceof OptimizerSpec.Sgd && coupledL2(training) != null;
  }

  /**
   * The coupled L2 coefficient of each updated parameter, in {@code ParameterSet} order, or null
   * when no parameter has one.
   */
  static double[] coupledL2(TrainingSpec training) {
    return perParameter(training.network(), p -> training.regularization().l2For(p));
  }

  /**
   * The largest L1 and coupled L2 coefficients the step adds to the gradients before the
   * optimizer update ({@code {l1, l2}}; L2 is 0 when the optimizer takes it), for the bound of
   * {@code Optimizer.updateChecked}.
   */
  static double[] gradientTermMaxima(TrainingSpec training) {
    double[] l1 = perParameter(training.network(), p -> training.regularization().l1For(p));
    double[] l2 = l2InOptimizer(training) ? null : coupledL2(training);
    return new double[] {max(l1), max(l2)};
  }

  private static double max(double[] values) {
    double m = 0;
    if (values != null) {
      for (double v : values) {
        m = Math.max(m, v);
      }
    }
    return m;
  }

  /**
   * The decoupled decay coefficient of each updated parameter, in {@code ParameterSet} order, or
   * null when nothing decays.
   */
  static double[] decoupledDecay(RegularizationSpec spec, NetworkSpec network) {
    return perParameter(network, spec::weightDecayFor);
  }

  /**
   * The coefficient of a term for each updated parameter, in {@code ParameterSet} order (0 where
   * the term does not apply to it), or null when it is 0 for all.
   */
  private static double[] perParameter(NetworkSpec network,
      Function<LayerOverride, Term> termOfLayer) {
    List<Param> params = updated(network);
    double[] out = new double[params.size()];
    boolean any = false;
    for (int i = 0; i < out.length; i++) {
      Param p = params.get(i);
      Term t = termOfLayer.apply(p.layer().training());
      out[i] = t.appliesTo(p.isWeight()) ? t.value() : 0;
      any |= out[i] != 0;
    }
    return any ? out : null;
  }


  /**
   * The configuration-level terms in one line, or null for none (per-layer overrides are in the
   * network's layers: see {@link #describe(RegularizationSpec, NetworkSpec)}).
   */
  static String describe(RegularizationSpec spec) {
    List<String> lines = new ArrayList<>();
    term(lines, "L1", spec.l1());
    term(lines, "L2", spec.l2());
    term(lines, "decoupled weight decay", spec.weightDecay());
    return lines.isEmpty() ? null : String.join("; ", lines);
  }

  /** Javadoc lines describing the regularization with per-layer overrides (empty for none). */
  static List<String> describe(RegularizationSpec spec, NetworkSpec network) {
    List<String> lines = new ArrayList<>();
    term(lines, "L1", spec.l1());
    term(lines, "L2", spec.l2());
    term(lines, "decoupled weight decay", spec.weightDecay());
    for (LayerSpec layer : network.layers()) {
      RegularizationSpec.LayerOverride o = layer.training();
      if (o.frozen()) {
        lines.add("layer {@code " + layer.name() + "}: frozen (never updated)");
      }
      override(lines, layer, "L1", o.l1());
      override(lines, layer, "L2", o.l2());
      override(lines, layer, "decoupled weight decay", o.weightDecay());
      if (o.learningRateScale() != null && !o.frozen()) {
        lines.add("layer {@code " + layer.name() + "}: learning rate scaled by "
            + o.learningRateScale());
      }
    }
    return lines;
  }

  private static void term(List<String> lines, String name, Term t) {
    if (t.value() > 0) {
      lines.add(name + ": " + t.value() + " on " + (t.allParameters() ? "all parameters"
          : "weights"));
    }
  }

  private static void override(List<String> lines, LayerSpec layer, String name, Term t) {
    if (t != null) {
      lines.add("layer {@code " + layer.name() + "}: " + name + " " + t.value() + " on "
          + (t.allParameters() ? "all its parameters" : "its weight"));
    }
  }
}
