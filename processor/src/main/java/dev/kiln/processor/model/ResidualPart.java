package dev.kiln.processor.model;

import java.util.Map;

/**
 * One end of a {@code @Residual} block, the only part of a layer the validator adds around the
 * block's layers: {@code start} marks the block's input {@code x} (the identity forward; backward
 * adds the skip connection's gradient), the end computes {@code x + block(x)}. Each names the other
 * layer ({@code partner}) so the writers can find the skip's buffers.
 *
 * @param start whether this is the block's start (else its end)
 * @param partner the name of the layer holding the other end
 */
public record ResidualPart(boolean start, String partner) implements Part {
  @Override
  public String kind() {
    return "Residual";
  }

  @Override
  public Shape output(Shape input) {
    return input;
  }

  @Override
  public String describe(Shape input) {
    return start ? "(residual input)" : "x + block(x)";
  }

  @Override
  public Map<String, String> settings(Shape input) {
    return Map.of("end", start ? "start" : "add");
  }
}
