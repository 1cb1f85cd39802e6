package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.checkpoint.Fingerprint;
import dev.kiln.runtime.checkpoint.TrainingState;
import org.junit.jupiter.api.Test;

class CharVocabularyTest {
  @Test
  void encodesAndDecodesByTheSortedDistinctCharacters() {
    CharVocabulary v = CharCorpus.of("hello, wörld\n", "t").characters();
    assertThat(v.size()).isEqualTo(11);
    assertThat(v.codePoints()[0]).isEqualTo('\n');
    assertThat(v.encode('\n')).isEqualTo(0);
    assertThat(v.decode(v.encode("old wörld"), 0, 9)).isEqualTo("old wörld");
    assertThat(v.covers("low")).isTrue();
    assertThat(v.covers("lowz")).isFalse();
    assertThat(v.toString()).isEqualTo("11 characters \"\\n ,dehlorw\u00f6\"");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> v.encode("hez"));
    assertThat(e).hasMessageThat().contains("'z' (U+007A)");
    assertThrows(IllegalArgumentException.class, () -> v.decode(new int[] {11}, 0, 1));
  }

  @Test
  void refusesCodePointsOutOfOrderOrRepeated() {
    assertThrows(IllegalArgumentException.class, () -> CharVocabulary.of());
    assertThat(assertThrows(IllegalArgumentException.class, () -> CharVocabulary.of(97, 97)))
        .hasMessageThat().contains("ascend strictly");
    assertThrows(IllegalArgumentException.class, () -> CharVocabulary.of(98, 97));
    assertThrows(IllegalArgumentException.class, () -> CharVocabulary.of(-1));
  }

  @Test
  void travelsInATrainingStateExactly() {
    TrainingState state = new TrainingState(Fingerprint.of("model", "test"));
    assertThat(CharVocabulary.from(state)).isEmpty();
    CharVocabulary v = CharVocabulary.of('\n', 'A', 0xe9, 0x1F600, 0x10FFFF);
    v.attachTo(state);
    assertThat(CharVocabulary.from(state)).hasValue(v);
    assertThat(CharVocabulary.from(state).orElseThrow().codePoints())
        .isEqualTo(new int[] {'\n', 'A', 0xe9, 0x1F600, 0x10FFFF});
  }
}
