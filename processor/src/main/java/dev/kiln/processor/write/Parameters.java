package dev.kiln.processor.write;

import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import java.util.ArrayList;
import java.util.List;

/** The arrays a network holds, in the order of {@code parameters()}. */
final class Parameters {
  private Parameters() {}

  /**
   * One array of the network.
   *
   * @param role {@code weight}, {@code bias}, {@code gamma}, {@code beta}, {@code runningMean} or
   *     {@code runningVar}
   * @param shape its shape
   */
  record Param(LayerSpec layer, String role, long[] shape) {
    String key() {
      return layer.name() + "." + role;
    }

    boolean trainable() {
      return !role.startsWith("running");
    }

    boolean isWeight() {
      return role.equals("weight");
    }

    long length() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  static List<Param> of(NetworkSpec network) {
    List<Param> out = new ArrayList<>();
    for (LayerSpec layer : network.layers()) {
      if (layer.dense() != null) {
        out.add(new Param(layer, "weight", new long[] {layer.inputs(), layer.outputs()}));
        if (layer.dense().bias()) {
          out.add(new Param(layer, "bias", new long[] {layer.outputs()}));
        }
      }
      if (layer.batchNorm() != null) {
        for (String role : new String[] {"gamma", "beta", "runningMean", "runningVar"}) {
          out.add(new Param(layer, role, new long[] {layer.outputs()}));
        }
      }
    }
    return out;
  }

  static List<Param> trainable(NetworkSpec network) {
    return of(network).stream().filter(Param::trainable).toList();
  }
}
