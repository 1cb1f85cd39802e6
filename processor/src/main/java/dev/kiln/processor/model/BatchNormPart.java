package dev.kiln.processor.model;

import java.util.List;
import java.util.Map;

/**
 * {@code @BatchNorm}: normalisation over the batch per feature, PyTorch's {@code BatchNorm1d}
 * (running statistics {@code running = (1 − momentum)·running + momentum·batch}, unbiased variance
 * for the running estimate).
 *
 * @param momentum the new batch's weight in the running statistics, in (0, 1]
 * @param epsilon added to the variance, positive
 */
public record BatchNormPart(double momentum, double epsilon) implements Part {
  @Override
  public String kind() {
    return "BatchNorm";
  }

  @Override
  public Shape output(Shape input) {
    return input;
  }

  @Override
  public List<ParamSpec> parameters(Shape input) {
    Shape features = Shape.of((int) input.size());
    return List.of(
        ParamSpec.constant("gamma", features, ParamKind.GAMMA, WeightInit.ONES),
        ParamSpec.constant("beta", features, ParamKind.BETA, WeightInit.ZEROS),
        ParamSpec.constant("runningMean", features, ParamKind.RUNNING_MEAN, WeightInit.ZEROS),
        ParamSpec.constant("runningVar", features, ParamKind.RUNNING_VAR, WeightInit.ONES));
  }

  @Override
  public String describe(Shape input) {
    return "BatchNorm";
  }

  @Override
  public Map<String, String> settings(Shape input) {
    Map<String, String> s = new java.util.LinkedHashMap<>();
    s.put("momentum", Double.toString(momentum));
    s.put("epsilon", Double.toString(epsilon));
    return s;
  }

  @Override
  public boolean usesBatchStatistics() {
    return true;
  }
}
