package dev.kiln.processor.model;

import java.util.Map;

/**
 * {@code @Activation}: an element-wise function other than {@code IDENTITY} (an identity
 * activation is no part at all).
 *
 * @param function the function
 * @param negativeSlope {@code LEAKY_RELU}'s slope for negative inputs (unused otherwise)
 */
public record ActivationPart(ActivationFunction function, double negativeSlope) implements Part {
  @Override
  public String kind() {
    return "Activation";
  }

  @Override
  public Shape output(Shape input) {
    return input;
  }

  @Override
  public String describe(Shape input) {
    return function.name();
  }

  @Override
  public Map<String, String> settings(Shape input) {
    Map<String, String> s = new java.util.LinkedHashMap<>();
    s.put("function", function.name());
    if (function == ActivationFunction.LEAKY_RELU) {
      s.put("negativeSlope", Double.toString(negativeSlope));
    }
    return s;
  }
}
