package dev.kiln.runtime.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes checkpoint files: a zip holding {@code manifest.json} (format, Kiln version,
 * kind, fingerprint, counters, and for each array its entry, shape, dtype and CRC32) and one NumPy
 * {@code .npy} file per array ({@code numpy.load} opens them).
 *
 * <p>Writing is atomic: the zip goes to a temporary file in the same directory, is flushed and
 * synced, then renamed over the target, so a crash at any point leaves the previous checkpoint
 * intact. Reading validates everything (every listed entry present, CRC32 of each, shapes and
 * dtype) before returning, so a caller restores from a fully checked {@link Checkpoint} or not at
 * all.
 */
public final class CheckpointFile {
  /** The value of the manifest's {@code format} member. */
  public static final String FORMAT = "kiln-checkpoint";
  /** The manifest's {@code formatVersion}. */
  public static final int FORMAT_VERSION = 1;
  static final String MANIFEST = "manifest.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  /** Called after each entry is written; tests inject failures here. */
  @FunctionalInterface
  public interface EntryHook {
    void afterEntry(String entryName) throws IOException;
  }

  private CheckpointFile() {}

  /** Writes {@code checkpoint} to {@code file} atomically, replacing any previous file. */
  public static void write(Path file, Checkpoint checkpoint) throws IOException {
    write(file, checkpoint, name -> {});
  }

  /**
   * Writes atomically, calling {@code hook} after each entry.
   *
   * @throws IOException from the file system or the hook; the target is then unchanged and the
   *     temporary file removed
   */
  public static void write(Path file, Checkpoint checkpoint, EntryHook hook) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Files.createDirectories(dir);
    removeStaleTemporaryFiles(target);
    // Files.createFile, unlike createTempFile (always 0600), gives the file the mode the user's
    // umask allows, as any other file the user writes; the random part keeps the name unique.
    Path temp = dir.resolve("." + target.getFileName() + "."
        + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong())
        + ".tmp");
    Files.createFile(temp);
    boolean done = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        OutputStream raw = Channels.newOutputStream(channel);
        ZipOutputStream zip = new ZipOutputStream(raw);
        JsonObject manifest = manifest(checkpoint);
        JsonArray arrays = new JsonArray();
        for (Map.Entry<String, Checkpoint.Array> e : checkpoint.arrays().entrySet()) {
          String entry = e.getKey() + ".npy";
          byte[] bytes = Npy.encode(e.getValue());
          CRC32 crc = new CRC32();
          crc.update(bytes);
          zip.putNextEntry(new ZipEntry(entry));
          zip.write(bytes);
          zip.closeEntry();
          hook.afterEntry(entry);
          JsonObject a = new JsonObject();
          a.addProperty("name", e.getKey());
          a.addProperty("entry", entry);
          a.add("shape", GSON.toJsonTree(e.getValue().shape()));
          a.addProperty("dtype", "float32");
          a.addProperty("crc32", Long.toHexString(crc.getValue()));
          arrays.add(a);
        }
        manifest.add("arrays", arrays);
        zip.putNextEntry(new ZipEntry(MANIFEST));
        zip.write(GSON.toJson(manifest).getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
        hook.afterEntry(MANIFEST);
        zip.finish();
        zip.flush();
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(dir);
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /**
   * Deletes the temporary files an interrupted write of {@code target} left ({@code
   * .<name>.<random>.tmp} beside it: a kill between creating and renaming them), so they do not
   * pile up.
   */
  static void removeStaleTemporaryFiles(Path target) throws IOException {
    String prefix = "." + target.getFileName() + ".";
    try (var files = Files.newDirectoryStream(target.getParent(),
        p -> p.getFileName().toString().startsWith(prefix)
            && p.getFileName().toString().endsWith(".tmp"))) {
      for (Path p : files) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static JsonObject manifest(Checkpoint checkpoint) {
    JsonObject m = new JsonObject();
    m.addProperty("format", FORMAT);
    m.addProperty("formatVersion", FORMAT_VERSION);
    m.addProperty("kilnVersion", KilnVersion.get());
    m.addProperty("kind", checkpoint.kind());
    m.add("fingerprint", GSON.toJsonTree(checkpoint.fingerprint()));
    JsonObject counters = new JsonObject();
    checkpoint.counters().forEach((k, v) -> counters.addProperty(k, Long.toString(v)));
    m.add("counters", counters);
    return m;
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // Not every file system lets a directory be opened for sync; the rename is still atomic.
    }
  }

  /**
   * Reads and fully validates a checkpoint.
   *
   * @throws NoSuchFileException if the file does not exist
   * @throws CheckpointException if it is truncated, corrupted, not a Kiln checkpoint, or an
   *     entry is missing or fails its CRC32; the message names the file and the entry
   */
  public static Checkpoint read(Path file) throws IOException {
    Map<String, byte[]> entries = new HashMap<>();
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString());
    }
    // ZipFile needs the central directory at the end, so a truncated file is refused even when
    // its first entries are whole; each entry's own CRC is checked as it is read.
    try (ZipFile zip = new ZipFile(file.toFile())) {
      var all = zip.entries();
      while (all.hasMoreElements()) {
        ZipEntry entry = all.nextElement();
        try (InputStream in = zip.getInputStream(entry)) {
          entries.put(entry.getName(), readBounded(in, entry, file));
        }
      }
    } catch (ZipException | EOFException e) {
      throw new CheckpointException(file + ": not a readable checkpoint zip (truncated or"
          + " corrupted): " + e.getMessage(), e);
    }
    byte[] manifestBytes = entries.get(MANIFEST);
    if (manifestBytes == null) {
      throw new CheckpointException(file + ": no " + MANIFEST + " entry (truncated, or not a Kiln"
          + " checkpoint)");
    }
    JsonObject manifest;
    try {
      manifest = JsonParser.parseString(new String(manifestBytes, StandardCharsets.UTF_8))
          .getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new CheckpointException(file + ": " + MANIFEST + " is not valid JSON", e);
    }
    if (!manifest.has("format") || !FORMAT.equals(manifest.get("format").getAsString())) {
      throw new CheckpointException(file + ": " + MANIFEST + " is not a " + FORMAT + " manifest");
    }
    try {
      return parse(file, manifest, entries);
    } catch (RuntimeException e) {
      throw new CheckpointException(file + ": malformed " + MANIFEST + ": " + e.getMessage(), e);
    }
  }

  /** Deflate expands at most 1032 to 1: no honest entry inflates beyond this. */
  private static final long MAX_RATIO = 1032;

  /**
   * The bytes of one entry, refusing an entry that inflates beyond what its compressed size can
   * hold (or its declared size), so a forged size never makes us allocate more than the file
   * could contain.
   */
  private static byte[] readBounded(InputStream in, ZipEntry entry, Path file) throws IOException {
    long compressed = entry.getCompressedSize();
    long limit = compressed >= 0 ? compressed * MAX_RATIO + 1024 : Files.size(file) * MAX_RATIO;
    if (entry.getSize() >= 0) {
      limit = Math.min(limit, entry.getSize());
    }
    if (limit > Integer.MAX_VALUE - 8) {
      throw new CheckpointException(file + ": entry " + entry.getName() + " claims "
          + entry.getSize() + " bytes, more than a checkpoint entry can hold");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(limit, 1 << 20));
    byte[] buffer = new byte[1 << 16];
    long total = 0;
    for (int n; (n = in.read(buffer)) > 0; ) {
      total += n;
      if (total > limit) {
        throw new CheckpointException(file + ": entry " + entry.getName() + " inflates beyond"
            + " its declared size " + limit + " (corrupted or forged)");
      }
      bytes.write(buffer, 0, n);
    }
    return bytes.toByteArray();
  }

  private static Checkpoint parse(Path file, JsonObject manifest, Map<String, byte[]> entries)
      throws CheckpointException {
    Map<String, String> fingerprint = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : manifest.getAsJsonObject("fingerprint").entrySet()) {
      fingerprint.put(e.getKey(), e.getValue().getAsString());
    }
    Map<String, Long> counters = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : manifest.getAsJsonObject("counters").entrySet()) {
      counters.put(e.getKey(), Long.parseLong(e.getValue().getAsString()));
    }
    Map<String, Checkpoint.Array> arrays = new LinkedHashMap<>();
    for (JsonElement element : manifest.getAsJsonArray("arrays")) {
      JsonObject a = element.getAsJsonObject();
      String name = a.get("name").getAsString();
      String entry = a.get("entry").getAsString();
      byte[] bytes = entries.get(entry);
      if (bytes == null) {
        throw new CheckpointException(file + ": entry " + entry + " is listed in the manifest but"
            + " missing");
      }
      CRC32 crc = new CRC32();
      crc.update(bytes);
      String expected = a.get("crc32").getAsString();
      if (!Long.toHexString(crc.getValue()).equals(expected)) {
        throw new CheckpointException(file + ": entry " + entry + " is corrupted (CRC32 "
            + Long.toHexString(crc.getValue()) + ", manifest says " + expected + ")");
      }
      Checkpoint.Array array;
      try {
        array = Npy.decode(bytes);
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(file + ": entry " + entry + ": " + e.getMessage(), e);
      }
      long[] shape = GSON.fromJson(a.get("shape"), long[].class);
      if (!java.util.Arrays.equals(shape, array.shape())) {
        throw new CheckpointException(file + ": entry " + entry + " has shape "
            + java.util.Arrays.toString(array.shape()) + ", manifest says "
            + java.util.Arrays.toString(shape));
      }
      arrays.put(name, array);
    }
    return new Checkpoint(manifest.get("kind").getAsString(), fingerprint, arrays, counters);
  }
}
