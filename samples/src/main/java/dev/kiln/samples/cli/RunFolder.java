package dev.kiln.samples.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The output folder of one {@code train} run: what it holds, the options it was made with
 * ({@code options.properties}), and emptying it for {@code --overwrite}. A folder holds a run
 * when it has any of the files {@code train} writes.
 */
final class RunFolder {
  /** The file that records a run's options, written when its training starts. */
  static final String OPTIONS = "options.properties";
  /** What {@code train} writes into its folder (plus {@code checkpoints/}). */
  static final List<String> FILES = List.of("metrics.csv", "loss.png", "accuracy.png",
      "learning-rate.png", "confusion-matrix.png", "checkpoint.kiln", OPTIONS);
  /** Options that must match to continue a run; {@code --epochs} may grow on resume. */
  static final List<String> FIXED = List.of("--model", "--data", "--test-data", "--csv-label",
      "--csv-no-header", "--normalize", "--batch-size", "--learning-rate", "--seed", "--drop-last",
      "--early-stopping");

  private final Path dir;

  RunFolder(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** The run files present, as names relative to the folder ({@code checkpoints/} included). */
  List<String> runFiles() throws IOException {
    List<String> found = new ArrayList<>();
    for (String f : FILES) {
      if (Files.exists(dir.resolve(f))) {
        found.add(f);
      }
    }
    if (Files.isDirectory(dir.resolve("checkpoints"))) {
      found.add("checkpoints/");
    }
    return found;
  }

  /**
   * Deletes what a run wrote (the files of {@link #FILES}, {@code checkpoints/} with its
   * checkpoints and temporary files); other files are left alone.
   */
  void empty() throws IOException {
    for (String f : FILES) {
      Files.deleteIfExists(dir.resolve(f));
    }
    Path checkpoints = dir.resolve("checkpoints");
    if (Files.isDirectory(checkpoints)) {
      try (Stream<Path> files = Files.list(checkpoints)) {
        for (Path p : files.toList()) {
          String name = p.getFileName().toString();
          if (name.endsWith(".kiln") || name.endsWith(".tmp")) {
            Files.delete(p);
          }
        }
      }
      try (Stream<Path> rest = Files.list(checkpoints)) {
        if (rest.findAny().isEmpty()) {
          Files.delete(checkpoints);
        }
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        if (p.getFileName().toString().endsWith(".tmp")) {
          Files.delete(p);
        }
      }
    }
  }

  /** The options recorded for the run, option name to value; empty when none were recorded. */
  Map<String, String> recordedOptions() throws IOException {
    Path file = dir.resolve(OPTIONS);
    Map<String, String> out = new LinkedHashMap<>();
    if (!Files.isRegularFile(file)) {
      return out;
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    for (String name : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
      out.put(name, p.getProperty(name));
    }
    return out;
  }

  /** Writes {@code options} (option name to the value the run used) to {@code OPTIONS}. */
  void recordOptions(Map<String, String> options) throws IOException {
    Files.createDirectories(dir);
    StringBuilder text = new StringBuilder("# The options of this run; train --resume checks"
        + " them\n");
    for (Map.Entry<String, String> e : new TreeMap<>(options).entrySet()) {
      text.append(e.getKey()).append('=').append(escape(e.getValue())).append('\n');
    }
    Path temp = dir.resolve("." + OPTIONS + ".tmp");
    try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
      w.write(text.toString());
    }
    Files.move(temp, dir.resolve(OPTIONS), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\n", "\\n");
  }
}
