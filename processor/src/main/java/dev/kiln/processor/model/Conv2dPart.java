package dev.kiln.processor.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code @Conv2d}: PyTorch's {@code nn.Conv2d} (a cross-correlation, zero padding) of images
 * {@code [C, H, W]} into {@code [filters, outH, outW]}; weight {@code [filters, C, kh, kw]}
 * (PyTorch's layout), bias {@code [filters]}.
 *
 * @param filters output channels, at least 1
 * @param window kernel, stride and padding ({@code SAME} already resolved to padding)
 * @param bias whether the bias exists
 * @param init the weight's initialisation, resolved (never {@code AUTO})
 */
public record Conv2dPart(int filters, Window window, boolean bias, WeightInit init)
    implements Part {
  @Override
  public String kind() {
    return "Conv2d";
  }

  @Override
  public Shape output(Shape input) {
    return Shape.of(filters, window.outHeight(input), window.outWidth(input));
  }

  @Override
  public List<ParamSpec> parameters(Shape input) {
    int channels = input.dim(0);
    int area = window.kernelH() * window.kernelW();
    List<ParamSpec> out = new ArrayList<>();
    // fan-in and fan-out as torch.nn.init computes them for a conv weight
    out.add(new ParamSpec("weight", Shape.of(filters, channels, window.kernelH(),
        window.kernelW()), ParamKind.WEIGHT, init, channels * area, filters * area));
    if (bias) {
      out.add(ParamSpec.constant("bias", Shape.of(filters), ParamKind.BIAS, WeightInit.ZEROS));
    }
    return out;
  }

  @Override
  public String describe(Shape input) {
    return "Conv2d(" + input.dim(0) + " -> " + filters + ", " + window.describe(false)
        + (bias ? "" : ", no bias") + ")";
  }

  @Override
  public Map<String, String> settings(Shape input) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("inputs", input.toString());
    s.put("filters", Integer.toString(filters));
    window.settings(s);
    s.put("bias", Boolean.toString(bias));
    return s;
  }
}
