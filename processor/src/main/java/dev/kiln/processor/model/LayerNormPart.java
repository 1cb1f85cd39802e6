package dev.kiln.processor.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code @LayerNorm(epsilon)}: normalises the last axis of every position (PyTorch {@code
 * nn.LayerNorm(D, eps)}), with {@code <layer>.gamma} (ones) and {@code <layer>.beta} (zeros) of
 * {@code [D]}, which are not weights.
 *
 * @param epsilon inside the square root, positive
 */
public record LayerNormPart(double epsilon) implements Part {
  @Override
  public String kind() {
    return "LayerNorm";
  }

  @Override
  public Shape output(Shape input) {
    return input;
  }

  @Override
  public List<ParamSpec> parameters(Shape input) {
    Shape features = Shape.of(input.last());
    return List.of(ParamSpec.constant("gamma", features, ParamKind.GAMMA, WeightInit.ONES),
        ParamSpec.constant("beta", features, ParamKind.BETA, WeightInit.ZEROS));
  }

  @Override
  public String describe(Shape input) {
    return "LayerNorm(" + input.last() + ")";
  }

  @Override
  public Map<String, String> settings(Shape input) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("features", Integer.toString(input.last()));
    s.put("epsilon", Double.toString(epsilon));
    return s;
  }
}
