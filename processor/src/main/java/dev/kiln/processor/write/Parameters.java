package dev.kiln.processor.write;

import dev.kiln.processor.model.ParamKind;
import dev.kiln.processor.model.ParamSpec;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import java.util.ArrayList;
import java.util.List;

/** The arrays a network holds, in the order of {@code parameters()}: each layer's parts' arrays. */
final class Parameters {
  private Parameters() {}

  /** One array of the network: a part's {@link ParamSpec} in its layer. */
  record Param(LayerSpec layer, ParamSpec spec) {
    /** {@code <layer>.<role>}, the name in {@code parameters()} and checkpoints. */
    String key() {
      return layer.name() + "." + spec.role();
    }

    String role() {
      return spec.role();
    }

    ParamKind kind() {
      return spec.kind();
    }

    long[] shape() {
      return spec.shape().toLongArray();
    }

    boolean trainable() {
      return spec.kind().trainable();
    }

    boolean isWeight() {
      return spec.kind().isWeight();
    }

    long length() {
      return spec.shape().size();
    }
  }

  static List<Param> of(NetworkSpec network) {
    List<Param> out = new ArrayList<>();
    for (LayerSpec layer : network.layers()) {
      for (ParamSpec p : layer.parameters()) {
        out.add(new Param(layer, p));
      }
    }
    return out;
  }

  static List<Param> trainable(NetworkSpec network) {
    return of(network).stream().filter(Param::trainable).toList();
  }

  /** The layer's array with {@code role} (for example its {@code weight}). */
  static Param of(LayerSpec layer, String role) {
    return layer.parameters().stream().filter(p -> p.role().equals(role))
        .map(p -> new Param(layer, p)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(layer.name() + " has no " + role));
  }
}
