package dev.kiln.processor.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code @Embedding(width)}: token ids {@code [T]} become rows of the table {@code <layer>.weight
 * [vocabulary, width]}, {@code [T, width]} (PyTorch {@code nn.Embedding}). The table is a weight.
 *
 * @param vocabulary rows of the table, the model's {@code V}
 * @param width {@code D}, at least 1
 */
public record EmbeddingPart(int vocabulary, int width) implements Part {
  @Override
  public String kind() {
    return "Embedding";
  }

  @Override
  public Shape output(Shape input) {
    return Shape.sequence(input.dim(0), width);
  }

  @Override
  public List<ParamSpec> parameters(Shape input) {
    return List.of(new ParamSpec("weight", Shape.of(vocabulary, width), ParamKind.WEIGHT,
        WeightInit.XAVIER_UNIFORM, vocabulary, width));
  }

  @Override
  public String describe(Shape input) {
    return "Embedding(" + vocabulary + " -> " + width + ")";
  }

  @Override
  public Map<String, String> settings(Shape input) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("vocabulary", Integer.toString(vocabulary));
    s.put("width", Integer.toString(width));
    return s;
  }
}
