package dev.kiln.samples;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Idx;
import dev.kiln.runtime.data.IdxArray;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Fashion-MNIST: 28x28 grayscale images of 10 clothing classes, 60000 for training and 10000 for
 * testing. Features are {@code [n, 784]} pixel values in [0, 1]; labels are one-hot {@code [n,
 * 10]}.
 */
public final class FashionMnist {
  /** Where the Debian package {@code dataset-fashion-mnist} installs the full set. */
  public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

  /** Class names, by class index. */
  public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover",
      "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  /** Number of classes. */
  public static final int CLASS_COUNT = 10;

  /** Features per image: 28 x 28 pixels. */
  public static final int FEATURE_COUNT = 28 * 28;

  private static final String RESOURCES = "fashion-mnist-subset/";
  private static final String[] FILES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

  private FashionMnist() {}

  /**
   * The training and test sets.
   *
   * @param train training rows: features {@code [n, 784]}, labels {@code [n, 10]}
   * @param test test rows, same layout
   * @param description which data this is, for logs
   */
  public record Splits(Dataset train, Dataset test, String description) {}

  /**
   * Loads the four files from {@code dir}: {@code train-images-idx3-ubyte.gz}, {@code
   * train-labels-idx1-ubyte.gz}, {@code t10k-images-idx3-ubyte.gz} and {@code
   * t10k-labels-idx1-ubyte.gz}, or each without {@code .gz} where the compressed one is missing.
   *
   * @throws NoSuchFileException if a file is missing
   * @throws dev.kiln.runtime.data.IdxFormatException if a file is not valid IDX
   * @throws IllegalArgumentException if the images are not 28x28, counts differ or a label is not
   *     a class index
   */
  public static Splits load(Path dir) throws IOException {
    IdxArray[] idx = new IdxArray[FILES.length];
    for (int i = 0; i < FILES.length; i++) {
      idx[i] = Idx.read(find(dir, FILES[i]));
    }
    return splits(idx, "Fashion-MNIST from " + dir);
  }

  /**
   * The small subset shipped in this jar: the first 6000 training and first 1000 test images.
   *
   * @throws IOException if a resource is missing or invalid
   */
  public static Splits embedded() throws IOException {
    IdxArray[] idx = new IdxArray[FILES.length];
    for (int i = 0; i < FILES.length; i++) {
      String name = RESOURCES + FILES[i] + ".gz";
      try (InputStream in = FashionMnist.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new FileNotFoundException("classpath resource dev/kiln/samples/" + name);
        }
        idx[i] = Idx.read(in, "classpath:dev/kiln/samples/" + name);
      }
    }
    return splits(idx, "the embedded Fashion-MNIST subset");
  }

  /**
   * Loads {@code dirOrNull} when given (an error if files are missing), else {@link #DEFAULT_DIR}
   * when it holds the files, else the {@link #embedded()} subset; prints one line to {@code log}
   * saying which.
   *
   * @throws IOException if the data cannot be read
   */
  public static Splits loadDefault(Path dirOrNull, PrintStream log) throws IOException {
    Objects.requireNonNull(log, "log");
    Splits splits;
    String hint = "";
    if (dirOrNull != null) {
      splits = load(dirOrNull);
    } else if (hasFiles(Path.of(DEFAULT_DIR))) {
      splits = load(Path.of(DEFAULT_DIR));
    } else {
      splits = embedded();
      hint = "; this is a small subset: for the full set install the Debian package"
          + " dataset-fashion-mnist or pass a directory";
    }
    log.println("Data: " + splits.description() + " (" + splits.train().size() + " training, "
        + splits.test().size() + " test images)" + hint);
    return splits;
  }

  /** Whether {@code dir} holds the four files, compressed or not. */
  public static boolean hasFiles(Path dir) {
    for (String name : FILES) {
      Path gz = dir.resolve(name + ".gz");
      if (!Files.isRegularFile(gz) && !Files.isRegularFile(dir.resolve(name))) {
        return false;
      }
    }
    return true;
  }

  private static Path find(Path dir, String name) throws NoSuchFileException {
    Path gz = dir.resolve(name + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    Path plain = dir.resolve(name);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    throw new NoSuchFileException(gz.toString(), null, "neither it nor " + plain.getFileName()
        + " exists; Fashion-MNIST needs " + String.join(", ", FILES) + " (.gz or not)");
  }

  private static Splits splits(IdxArray[] idx, String description) {
    for (int i = 0; i < FILES.length; i += 2) {
      int[] dims = idx[i].dims();
      if (dims.length != 3 || dims[1] != 28 || dims[2] != 28) {
        throw new IllegalArgumentException(description + ": expected " + FILES[i]
            + " to hold 28x28 images, got dimensions " + Arrays.toString(dims));
      }
    }
    return new Splits(
        Dataset.fromIdx(idx[0], idx[1], CLASS_COUNT, description + " (training)"),
        Dataset.fromIdx(idx[2], idx[3], CLASS_COUNT, description + " (test)"),
        description);
  }
}
