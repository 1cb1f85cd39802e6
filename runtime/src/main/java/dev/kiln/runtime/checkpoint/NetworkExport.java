package dev.kiln.runtime.checkpoint;

import dev.kiln.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inference export of a network: its parameters and batch-norm statistics only (no optimizer
 * state), in the checkpoint format with kind {@code network}. A full training checkpoint can be
 * loaded as a network too: its network arrays are taken and the rest ignored.
 */
public final class NetworkExport {
  private NetworkExport() {}

  /**
   * Writes {@code arrays} atomically.
   *
   * @param model the model's fingerprint, which a load must match
   */
  public static void save(Path file, Fingerprint model, Map<String, Tensor> arrays)
      throws IOException {
    Map<String, Checkpoint.Array> copies = new LinkedHashMap<>();
    arrays.forEach((k, t) -> copies.put(k, new Checkpoint.Array(t.toFloatArray(),
        t.array().shape())));
    CheckpointFile.write(file, new Checkpoint("network", model.entries(), copies,
        Map.of()));
  }

  /**
   * Reads a network export (or a training checkpoint) into {@code arrays}, all or nothing.
   *
   * @throws CheckpointException if the file is unusable, was written for another model (the
   *     message names the first difference, expected and found), or lacks an array or has it in
   *     another shape
   */
  public static void load(Path file, Fingerprint model, Map<String, Tensor> arrays)
      throws IOException {
    Checkpoint checkpoint = CheckpointFile.read(file);
    String difference = model.difference(checkpoint.fingerprint(), false);
    if (difference != null) {
      throw new CheckpointException(file + " was written for another model: " + difference);
    }
    for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
      Checkpoint.Array a = checkpoint.arrays().get(e.getKey());
      if (a == null) {
        throw new CheckpointException(file + ": array " + e.getKey() + " is missing");
      }
      if (!Arrays.equals(a.shape(), e.getValue().array().shape())) {
        throw new CheckpointException(file + ": array " + e.getKey() + " has shape "
            + Arrays.toString(a.shape()) + ", expected "
            + Arrays.toString(e.getValue().array().shape()));
      }
    }
    arrays.forEach((k, t) -> t.setFrom(checkpoint.arrays().get(k).values()));
  }
}
