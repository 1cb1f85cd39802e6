package dev.kiln.runtime.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A copy of a network's parameters (and batch-norm statistics), made once and refreshed in
 * place: what early stopping keeps of the best epoch.
 */
public final class ParameterSnapshot {
  private final List<INDArray> live = new ArrayList<>();
  private final List<INDArray> copies = new ArrayList<>();

  /** Allocates one copy per array of {@code parameters}, holding their current values. */
  public ParameterSnapshot(Map<String, INDArray> parameters) {
    for (INDArray p : parameters.values()) {
      live.add(p);
      copies.add(p.dup('c'));
    }
  }

  /** Copies the live values into the snapshot. */
  public void capture() {
    for (int i = 0; i < live.size(); i++) {
      copies.get(i).assign(live.get(i));
    }
  }

  /** Writes the snapshot back into the live arrays. */
  public void restore() {
    for (int i = 0; i < live.size(); i++) {
      live.get(i).assign(copies.get(i));
    }
  }
}
