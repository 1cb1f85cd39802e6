package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetTest {
  @Test
  void validatesLengthsAndClassIndices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Dataset(new float[6], 3, new float[5], 2, "d"));
    assertThat(e).hasMessageThat().contains("expected 2 x 2 = 4 label values, got 5");
    e = assertThrows(IllegalArgumentException.class,
        () -> Dataset.ofClassIndices(new float[6], 3, new int[] {0, 4}, 4));
    assertThat(e).hasMessageThat().contains("class index of row 1 is 4");
    e = assertThrows(IllegalArgumentException.class,
        () -> Dataset.ofClassIndices(new float[6], 3, new int[] {0, 1, 2}, 4));
    assertThat(e).hasMessageThat().contains("expected 3 x 3 feature values for 3 labels, got 6");
  }

  @Test
  void headAndSplitCopyRows() {
    Dataset d = BatchesTest.dataset(101);
    Dataset head = d.head(4);
    assertThat(head.size()).isEqualTo(4);
    assertThat(head.features()[3 * 5]).isEqualTo(3f);
    assertThat(head.classIndex(2)).isEqualTo(2);

    Dataset[] parts = d.split(0.8, 11);
    assertThat(parts[0].size()).isEqualTo(81);
    assertThat(parts[1].size()).isEqualTo(20);
    Set<Integer> ids = new HashSet<>();
    for (Dataset part : parts) {
      for (int r = 0; r < part.size(); r++) {
        int id = (int) part.features()[r * 5];
        assertThat(part.classIndex(r)).isEqualTo(id % 3);
        ids.add(id);
      }
    }
    assertThat(ids).hasSize(101);
    assertThat(d.split(0.8, 11)[1].features()).isEqualTo(parts[1].features());
  }
}
