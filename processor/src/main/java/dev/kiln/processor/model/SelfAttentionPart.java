package dev.kiln.processor.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code @SelfAttention(heads, causal, bias)} on {@code [T, D]}: query, key, value and output
 * projections {@code <layer>.query.weight [D, D]} ({@code .bias [D]} with {@code bias}) … and the
 * scaled dot-product core; the output is {@code [T, D]}. The projection weights are weights.
 *
 * @param heads dividing {@code D}
 * @param causal whether position {@code t} sees only positions {@code ≤ t}
 * @param bias whether the projections have biases
 */
public record SelfAttentionPart(int heads, boolean causal, boolean bias) implements Part {
  /** The four projections, in parameter order. */
  public static final List<String> PROJECTIONS = List.of("query", "key", "value", "output");

  @Override
  public String kind() {
    return "SelfAttention";
  }

  @Override
  public Shape output(Shape input) {
    return input;
  }

  @Override
  public List<ParamSpec> parameters(Shape input) {
    int d = input.last();
    List<ParamSpec> out = new ArrayList<>();
    for (String p : PROJECTIONS) {
      out.add(new ParamSpec(p + ".weight", Shape.of(d, d), ParamKind.WEIGHT,
          WeightInit.XAVIER_UNIFORM, d, d));
      if (bias) {
        out.add(ParamSpec.constant(p + ".bias", Shape.of(d), ParamKind.BIAS, WeightInit.ZEROS));
      }
    }
    return out;
  }

  @Override
  public String describe(Shape input) {
    return "SelfAttention(" + input.last() + ", heads " + heads + (causal ? ", causal" : "")
        + (bias ? "" : ", no bias") + ")";
  }

  @Override
  public Map<String, String> settings(Shape input) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("width", Integer.toString(input.last()));
    s.put("heads", Integer.toString(heads));
    s.put("causal", Boolean.toString(causal));
    s.put("bias", Boolean.toString(bias));
    return s;
  }
}
