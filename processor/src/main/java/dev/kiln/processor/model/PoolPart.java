package dev.kiln.processor.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code @MaxPool} (PyTorch's {@code nn.MaxPool2d}: -infinity padding, the gradient to the first
 * maximum in row-major order) or {@code @AvgPool} ({@code nn.AvgPool2d} with {@code
 * count_include_pad=True}) over images {@code [C, H, W]} into {@code [C, outH, outW]}; no
 * parameters.
 *
 * @param max true for max pooling, false for average pooling
 * @param window window size, stride and padding
 */
public record PoolPart(boolean max, Window window) implements Part {
  @Override
  public String kind() {
    return max ? "MaxPool" : "AvgPool";
  }

  @Override
  public Shape output(Shape input) {
    return Shape.of(input.dim(0), window.outHeight(input), window.outWidth(input));
  }

  @Override
  public String describe(Shape input) {
    return kind() + "(" + window.describe(true) + ")";
  }

  @Override
  public Map<String, String> settings(Shape input) {
    Map<String, String> s = new LinkedHashMap<>();
    window.settings(s);
    return s;
  }
}
