package dev.kiln.processor.model;

import java.util.Map;

/**
 * {@code @Dropout(rate)}: in training, each element is zeroed with probability {@code rate} and
 * the rest scaled by {@code 1/(1 − rate)} (inverted dropout, as {@code nn.Dropout}); identity in
 * eval mode. A rate of 0 is no part at all.
 *
 * @param rate in (0, 1)
 */
public record DropoutPart(double rate) implements Part {
  @Override
  public String kind() {
    return "Dropout";
  }

  @Override
  public Shape output(Shape input) {
    return input;
  }

  @Override
  public String describe(Shape input) {
    return "Dropout(" + rate + ")";
  }

  @Override
  public Map<String, String> settings(Shape input) {
    return Map.of("rate", Double.toString(rate));
  }

  @Override
  public boolean usesRandom() {
    return true;
  }
}
