package dev.kiln.samples;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.data.CharCorpus;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class TinyShakespeareTest {
  @Test
  void embeddedCorpusIsTheDocumentedText() throws Exception {
    byte[] text;
    try (InputStream in = new GZIPInputStream(
        TinyShakespeare.class.getResourceAsStream(TinyShakespeare.RESOURCE))) {
      text = in.readAllBytes();
    }
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
    assertThat(sha).isEqualTo("86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed");

    CharCorpus corpus = TinyShakespeare.load();
    assertThat(corpus.length()).isEqualTo(1_115_394);
    assertThat(corpus.vocabularySize()).isEqualTo(65);
    assertThat(corpus.train().length()).isEqualTo(1_003_854);
    assertThat(corpus.decode(corpus.encode("First Citizen:"), 0, 14)).isEqualTo("First Citizen:");
    assertThat(corpus.decode(new int[] {corpus.token(0)}, 0, 1)).isEqualTo("F");
  }
}
