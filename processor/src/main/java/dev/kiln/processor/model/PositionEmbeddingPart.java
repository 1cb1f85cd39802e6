package dev.kiln.processor.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code @PositionEmbedding}: the learned table {@code <layer>.positions [T, D]} added to a
 * sequence {@code [T, D]}, position by position (GPT-2's {@code wpe}). The table is a weight.
 */
public record PositionEmbeddingPart() implements Part {
  @Override
  public String kind() {
    return "PositionEmbedding";
  }

  @Override
  public Shape output(Shape input) {
    return input;
  }

  @Override
  public List<ParamSpec> parameters(Shape input) {
    return List.of(new ParamSpec("positions", input, ParamKind.WEIGHT,
        WeightInit.XAVIER_UNIFORM, input.dim(0), input.dim(1)));
  }

  @Override
  public String describe(Shape input) {
    return "PositionEmbedding(" + input + ")";
  }

  @Override
  public Map<String, String> settings(Shape input) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("context", Integer.toString(input.dim(0)));
    s.put("width", Integer.toString(input.dim(1)));
    return s;
  }
}
