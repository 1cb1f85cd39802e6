package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.tensor.SplitMix64;
import dev.kiln.runtime.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchesTest {
  private static final int FEATURES = 5;
  private static final int CLASSES = 3;

  /** Row {@code i} has feature 0 equal to {@code i}, random other features and class i % 3. */
  static Dataset dataset(int size) {
    SplitMix64 rng = new SplitMix64(7);
    float[] f = new float[size * FEATURES];
    int[] c = new int[size];
    for (int i = 0; i < size; i++) {
      f[i * FEATURES] = i;
      for (int j = 1; j < FEATURES; j++) {
        f[i * FEATURES + j] = rng.nextFloat();
      }
      c[i] = i % CLASSES;
    }
    return Dataset.ofClassIndices(f, FEATURES, c, CLASSES);
  }

  /** The row ids of each batch of one epoch. */
  static List<List<Integer>> epoch(Batches b) {
    Tensor x = Tensor.zeros(b.batchSize(), FEATURES);
    Tensor y = Tensor.zeros(b.batchSize(), CLASSES);
    List<List<Integer>> batches = new ArrayList<>();
    b.startEpoch();
    while (b.hasNext()) {
      int n = b.next(x, y);
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ids.add((int) x.get(i * FEATURES));
      }
      batches.add(ids);
    }
    return batches;
  }

  static List<Integer> flat(List<List<Integer>> batches) {
    return batches.stream().flatMap(List::stream).toList();
  }

  @Test
  void sameSeedGivesSameOrders() {
    Batches a = new Batches(dataset(50), 8, true, false, 42);
    Batches b = new Batches(dataset(50), 8, true, false, 42);
    for (int e = 0; e < 3; e++) {
      assertThat(epoch(a)).isEqualTo(epoch(b));
    }
    assertThat(epoch(new Batches(dataset(50), 8, true, false, 43))).isNotEqualTo(epoch(a));
  }

  @Test
  void epochsDifferAndVisitEveryRowOnce() {
    Batches b = new Batches(dataset(103), 10, true, false, 1);
    assertThat(b.batchCount()).isEqualTo(11);
    List<Integer> first = flat(epoch(b));
    List<List<Integer>> second = epoch(b);
    assertThat(flat(second)).isNotEqualTo(first);
    assertThat(first).containsExactlyElementsIn(IntStream.range(0, 103).boxed().toList());
    assertThat(flat(second)).containsExactlyElementsIn(first);
    assertThat(second).hasSize(11);
    assertThat(second.get(10)).hasSize(3);
    assertThat(first).isNotEqualTo(IntStream.range(0, 103).boxed().toList());
  }

  @Test
  void noShuffleKeepsRowOrder() {
    Batches b = new Batches(dataset(7), 3, false, false, 1);
    assertThat(flat(epoch(b))).containsExactly(0, 1, 2, 3, 4, 5, 6).inOrder();
    assertThat(flat(epoch(b))).containsExactly(0, 1, 2, 3, 4, 5, 6).inOrder();
  }

  @Test
  void dropLastSkipsThePartialBatch() {
    Batches b = new Batches(dataset(103), 10, true, true, 1);
    assertThat(b.batchCount()).isEqualTo(10);
    List<List<Integer>> batches = epoch(b);
    assertThat(batches).hasSize(10);
    batches.forEach(batch -> assertThat(batch).hasSize(10));
    assertThat(flat(batches).stream().distinct().count()).isEqualTo(100);
  }

  @Test
  void copiesSourceRowsAndZeroesUnusedRows() {
    Dataset d = dataset(13);
    Batches b = new Batches(d, 5, true, false, 9);
    Tensor x = Tensor.zeros(5, FEATURES);
    Tensor y = Tensor.zeros(5, CLASSES);
    x.fill(-1);
    y.fill(-1);
    b.startEpoch();
    int n = 0;
    while (b.hasNext()) {
      n = b.next(x, y);
      for (int i = 0; i < n; i++) {
        int row = (int) x.get(i * FEATURES);
        for (int j = 0; j < FEATURES; j++) {
          assertThat(x.get(i * FEATURES + j)).isEqualTo(d.features()[row * FEATURES + j]);
        }
        for (int j = 0; j < CLASSES; j++) {
          assertThat(y.get(i * CLASSES + j)).isEqualTo(j == row % CLASSES ? 1f : 0f);
        }
      }
    }
    assertThat(n).isEqualTo(3);
    for (int i = 3 * FEATURES; i < 5 * FEATURES; i++) {
      assertThat(x.get(i)).isEqualTo(0f);
    }
  }

  @Test
  void rejectsWrongShapesAndExhaustedEpochs() {
    Batches b = new Batches(dataset(10), 4, false, false, 1);
    Tensor y = Tensor.zeros(4, CLASSES);
    assertThat(b.hasNext()).isFalse(); // before startEpoch()
    b.startEpoch();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.next(Tensor.zeros(4, FEATURES + 1), y));
    assertThat(e).hasMessageThat()
        .contains("expected features [rows, 5] with rows >= 4, got Tensor[4, 6]");
    e = assertThrows(IllegalArgumentException.class,
        () -> b.next(Tensor.zeros(4, FEATURES), Tensor.zeros(3, CLASSES)));
    assertThat(e).hasMessageThat()
        .contains("expected labels [rows, 3] with rows >= 4, got Tensor[3, 3]");
    Tensor x = Tensor.zeros(4, FEATURES);
    for (int i = 0; i < 3; i++) {
      b.next(x, y);
    }
    assertThrows(java.util.NoSuchElementException.class, () -> b.next(x, y));
  }

  @Test
  void resumeReproducesAnInterruptedEpoch() {
    Batches a = new Batches(dataset(40), 6, true, false, 5);
    epoch(a);
    Tensor x = Tensor.zeros(6, FEATURES);
    Tensor y = Tensor.zeros(6, CLASSES);
    a.startEpoch();
    a.next(x, y);
    a.next(x, y);
    long state = a.epochStartRngState();
    int cursor = a.cursor();
    assertThat(cursor).isEqualTo(12);
    List<Integer> rest = new ArrayList<>();
    while (a.hasNext()) {
      int n = a.next(x, y);
      for (int i = 0; i < n; i++) {
        rest.add((int) x.get(i * FEATURES));
      }
    }
    Batches b = new Batches(dataset(40), 6, true, false, 999);
    b.resume(state, cursor);
    List<Integer> resumed = new ArrayList<>();
    while (b.hasNext()) {
      int n = b.next(x, y);
      for (int i = 0; i < n; i++) {
        resumed.add((int) x.get(i * FEATURES));
      }
    }
    assertThat(resumed).isEqualTo(rest);
    assertThat(b.rngState()).isEqualTo(a.rngState());
    assertThat(epoch(b)).isEqualTo(epoch(a));
  }

  @Test
  void iteratingAllocatesNothing() {
    int size = 1000;
    int features = 784;
    float[] f = new float[size * features];
    Arrays.fill(f, 0.5f);
    Dataset d = Dataset.ofClassIndices(f, features, new int[size], 10);
    Batches b = new Batches(d, 64, true, false, 3);
    Tensor x = Tensor.zeros(64, features);
    Tensor y = Tensor.zeros(64, 10);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    runEpochs(b, x, y, 1); // warm-up
    long before = threads.getCurrentThreadAllocatedBytes();
    int rows = runEpochs(b, x, y, 20);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(rows).isEqualTo(20 * size);
    assertThat(allocated).isLessThan(1024L);
  }

  private static int runEpochs(Batches b, Tensor x, Tensor y, int epochs) {
    int rows = 0;
    for (int e = 0; e < epochs; e++) {
      b.startEpoch();
      while (b.hasNext()) {
        rows += b.next(x, y);
      }
    }
    return rows;
  }
}
