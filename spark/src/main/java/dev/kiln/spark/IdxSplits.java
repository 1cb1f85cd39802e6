package dev.kiln.spark;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Idx;
import dev.kiln.runtime.data.IdxArray;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Training and test sets in the MNIST / Fashion-MNIST IDX layout ({@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code
 * t10k-labels-idx1-ubyte}, each {@code .gz} or not) for the {@code spark-train} sample: pixels
 * scaled to [0, 1] as {@code [n, rows·cols]}, one-hot labels {@code [n, 10]}.
 *
 * @param train the training rows
 * @param test the test rows
 * @param description where they came from
 */
record IdxSplits(Dataset train, Dataset test, String description) {
  /** Where the Debian package {@code dataset-fashion-mnist} installs the full set. */
  static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  /** The subset embedded in kiln-samples.jar (6,000 training and 1,000 test images). */
  static final String EMBEDDED = "dev/kiln/samples/fashion-mnist-subset/";
  private static final String[] FILES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

  /**
   * {@code dir} when given, else the Debian package's directory when it holds the files, else
   * the subset embedded in kiln-samples.jar (on the class path).
   *
   * @throws IOException if a file is missing or not valid IDX
   */
  static IdxSplits load(Path dir) throws IOException {
    if (dir != null) {
      return fromDirectory(dir);
    }
    if (Files.isDirectory(DEBIAN_DIR)) {
      return fromDirectory(DEBIAN_DIR);
    }
    return embedded();
  }

  /**
   * The subset embedded in kiln-samples.jar, which must be on the class path.
   *
   * @throws IOException if it is not, or a file is invalid
   */
  static IdxSplits embedded() throws IOException {
    IdxArray[] idx = new IdxArray[FILES.length];
    ClassLoader loader = IdxSplits.class.getClassLoader();
    for (int i = 0; i < FILES.length; i++) {
      String name = EMBEDDED + FILES[i] + ".gz";
      try (InputStream in = loader.getResourceAsStream(name)) {
        if (in == null) {
          throw new FileNotFoundException("no data: pass --data DIR, install the Debian package"
              + " dataset-fashion-mnist, or put kiln-samples.jar (which embeds " + name
              + ") on the class path");
        }
        idx[i] = Idx.read(in, "classpath:" + name);
      }
    }
    return of(idx, "the Fashion-MNIST subset embedded in kiln-samples.jar");
  }

  private static IdxSplits fromDirectory(Path dir) throws IOException {
    IdxArray[] idx = new IdxArray[FILES.length];
    for (int i = 0; i < FILES.length; i++) {
      Path gz = dir.resolve(FILES[i] + ".gz");
      Path plain = dir.resolve(FILES[i]);
      Path file = Files.isRegularFile(gz) ? gz : plain;
      if (!Files.isRegularFile(file)) {
        throw new NoSuchFileException(gz.toString(), null, "neither it nor " + FILES[i]
            + " exists");
      }
      idx[i] = Idx.read(file);
    }
    return of(idx, "Fashion-MNIST from " + dir);
  }

  private static IdxSplits of(IdxArray[] idx, String description) {
    return new IdxSplits(Dataset.fromIdx(idx[0], idx[1], 10, description + " (training)"),
        Dataset.fromIdx(idx[2], idx[3], 10, description + " (test)"), description);
  }
}
