package dev.kiln.processor.model;

import java.util.List;
import java.util.Map;

/**
 * {@code @BatchNorm}: normalisation over the batch per feature, PyTorch's {@code BatchNorm1d}, or,
 * on images {@code [C, H, W]}, per channel over the batch and every position ({@code
 * BatchNorm2d}, parameters {@code [C]})
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
    Shape features = Shape.of(features(input));
    return List.of(
        ParamSpec.constant("gamma", features, ParamKind.GAMMA, WeightInit.ONES),
        ParamSpec.constant("beta", features, ParamKind.BETA, WeightInit.ZEROS),
        ParamSpec.constant("runningMean", features, ParamKind.RUNNING_MEAN, WeightInit.ZEROS),
        ParamSpec.constant("runningVar", features, ParamKind.RUNNING_VAR, WeightInit.ONES));
  }

  /** The normalised features: channels of an image, else every value. */
  public static int features(Shape input) {
    return perChannel(input) ? input.dim(0) : (int) input.size();
  }

  /** Whether the input is images {@code [C, H, W]}, normalised per channel. */
  public static boolean perChannel(Shape input) {
    return input.rank() == 3;
  }

  @Override
  public String describe(Shape input) {
    return perChannel(input) ? "BatchNorm2d" : "BatchNorm";
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
