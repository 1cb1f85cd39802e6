package dev.kiln.processor.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code @Dense(units)}: {@code y = x·W + b} with {@code W [in, units]} (PyTorch's {@code
 * nn.Linear} with the weight transposed). On a sequence {@code [T, D]} it acts on the last axis of
 * every position ({@code [T, units]}); another input of rank above 1 is flattened first, as {@code
 * torch.flatten(x, 1)}.
 *
 * @param units outputs per sample, at least 1
 * @param bias whether {@code b} exists
 * @param init the weight's initialisation, resolved (never {@code AUTO})
 */
public record DensePart(int units, boolean bias, WeightInit init) implements Part {
  @Override
  public String kind() {
    return "Dense";
  }

  @Override
  public Shape output(Shape input) {
    return input.isSequence() ? Shape.sequence(input.dim(0), units) : Shape.features(units);
  }

  /** Inputs per output row: {@code D} of a sequence, else the flattened input. */
  public static long inputsPerRow(Shape input) {
    return input.isSequence() ? input.dim(1) : input.size();
  }

  @Override
  public List<ParamSpec> parameters(Shape input) {
    int in = (int) inputsPerRow(input);
    List<ParamSpec> out = new ArrayList<>();
    out.add(new ParamSpec("weight", Shape.of(in, units), ParamKind.WEIGHT, init, in, units));
    if (bias) {
      out.add(ParamSpec.constant("bias", Shape.of(units), ParamKind.BIAS, WeightInit.ZEROS));
    }
    return out;
  }

  @Override
  public String describe(Shape input) {
    return "Dense(" + inputsPerRow(input) + " -> " + units + (bias ? "" : ", no bias") + ")";
  }

  @Override
  public Map<String, String> settings(Shape input) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("inputs", Long.toString(inputsPerRow(input)));
    s.put("outputs", Integer.toString(units));
    s.put("bias", Boolean.toString(bias));
    return s;
  }
}
