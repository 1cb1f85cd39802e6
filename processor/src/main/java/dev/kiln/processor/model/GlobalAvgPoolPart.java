package dev.kiln.processor.model;

import java.util.Map;

/**
 * {@code @GlobalAvgPool}: each channel's mean over its positions, images {@code [C, H, W]} into
 * {@code [C]} (PyTorch's {@code nn.AdaptiveAvgPool2d(1)} then {@code torch.flatten(x, 1)}); no
 * parameters.
 */
public record GlobalAvgPoolPart() implements Part {
  @Override
  public String kind() {
    return "GlobalAvgPool";
  }

  @Override
  public Shape output(Shape input) {
    return Shape.features(input.dim(0));
  }

  @Override
  public String describe(Shape input) {
    return "GlobalAvgPool";
  }

  @Override
  public Map<String, String> settings(Shape input) {
    return Map.of();
  }
}
