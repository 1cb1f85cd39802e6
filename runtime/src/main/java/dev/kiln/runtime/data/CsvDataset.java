package dev.kiln.runtime.data;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A labelled dataset read from CSV (RFC 4180, parsed by Apache Commons CSV): one sample per row,
 * one column holding the class label, every other column a numeric feature. The labels are
 * one-hot encoded; the class list is kept so that predictions can be named and a test file
 * encoded the same way as the training file.
 *
 * <p>Class order: the one given with {@link Options#classes}, else the distinct labels sorted,
 * numerically when every label is an integer (so {@code 2} comes before {@code 10}), else as
 * strings, as scikit-learn's {@code LabelEncoder}.
 *
 * <p>Errors name the file, the line and the column: a feature that is not a finite number, a
 * missing (empty) label, a label not in a given class list, a row with another number of cells
 * than the first. Nothing partial is returned.
 *
 * <pre>{@code
 * CsvDataset train = CsvDataset.read(Path.of("train.csv"),
 *     CsvDataset.options().labelColumn("species"));
 * CsvDataset test = CsvDataset.read(Path.of("test.csv"),
 *     CsvDataset.options().labelColumn("species").classes(train.classes()));
 * }</pre>
 *
 * @param dataset the features {@code [rows, columns − 1]} as read and the one-hot labels
 *     {@code [rows, classes]}
 * @param classes the class names, by class index
 * @param featureNames the header names of the feature columns, or {@code column<i>} (from 1)
 *     without a header
 */
public record CsvDataset(Dataset dataset, List<String> classes, List<String> featureNames) {
  public CsvDataset {
    classes = List.copyOf(classes);
    featureNames = List.copyOf(featureNames);
  }

  /** Default options: a header line, the label in the last column, comma-separated. */
  public static Options options() {
    return new Options(true, null, -1, ',', null);
  }

  /**
   * How to read the file. Immutable; each method returns a changed copy.
   *
   * @param header whether the first line names the columns
   * @param labelName the label column's header name, or null to use {@code labelIndex}
   * @param labelIndex the label column, from 0; −1 for the last column
   * @param delimiter the cell separator
   * @param classes the class list to encode with, or null to take it from the file
   */
  public record Options(boolean header, String labelName, int labelIndex, char delimiter,
      List<String> classes) {
    /** With or without a header line. */
    public Options header(boolean header) {
      return new Options(header, labelName, labelIndex, delimiter, classes);
    }

    /** The label is the column with this header name (needs a header). */
    public Options labelColumn(String name) {
      return new Options(header, name, -1, delimiter, classes);
    }

    /**
     * The label is the column with this index, from 0; −1 for the last.
     *
     * @throws IllegalArgumentException if {@code index < −1}
     */
    public Options labelColumn(int index) {
      if (index < -1) {
        throw new IllegalArgumentException("label column index must be >= -1, got " + index);
      }
      return new Options(header, null, index, delimiter, classes);
    }

    /** Cells are separated by {@code delimiter} (for example {@code ';'} or {@code '\t'}). */
    public Options delimiter(char delimiter) {
      return new Options(header, labelName, labelIndex, delimiter, classes);
    }

    /** Encode labels with this class list (a label outside it is an error). */
    public Options classes(List<String> classes) {
      return new Options(header, labelName, labelIndex, delimiter, List.copyOf(classes));
    }
  }

  /**
   * Reads a UTF-8 CSV file.
   *
   * @throws CsvFormatException if a cell, label or row is invalid (naming line and column)
   * @throws IOException if the file cannot be read
   */
  public static CsvDataset read(Path file, Options options) throws IOException {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in, file.toString(), options);
    }
  }

  /**
   * Reads CSV text to its end; the reader is not closed.
   *
   * @param sourceName the file or stream name error messages give
   * @throws CsvFormatException if a cell, label or row is invalid (naming line and column)
   * @throws IOException if the text cannot be read
   */
  public static CsvDataset read(Reader in, String sourceName, Options options)
      throws IOException {
    try {
      return parse(in, sourceName, options);
    } catch (CsvFormatException e) {
      throw e;
    } catch (java.io.UncheckedIOException e) {
      throw malformed(sourceName, e.getCause());
    } catch (IOException e) {
      throw malformed(sourceName, e);
    }
  }

  /**
   * Commons CSV reports malformed text (an unclosed quote, text after a closing quote) as an I/O
   * error whose message gives the line, without the file: this names the file too.
   */
  private static CsvFormatException malformed(String sourceName, IOException cause) {
    CsvFormatException e = cause instanceof java.nio.charset.CharacterCodingException
        ? new CsvFormatException(sourceName, 0, 0, "not UTF-8 text (" + cause + ")")
        : new CsvFormatException(sourceName, 0, 0, "malformed CSV: " + cause.getMessage()
            + " (a quote opened and never closed, or text after a closing quote?)");
    e.initCause(cause);
    return e;
  }

  private static CsvDataset parse(Reader in, String sourceName, Options options)
      throws IOException {
    CSVFormat.Builder format = CSVFormat.RFC4180.builder().setDelimiter(options.delimiter())
        .setTrim(true).setIgnoreEmptyLines(true);
    if (options.header()) {
      format.setHeader().setSkipHeaderRecord(true);
    }
    CSVParser parser = CSVParser.builder().setReader(in).setFormat(format.get()).get();
    List<String> header = options.header() ? parser.getHeaderNames() : null;
    int width = -1;
    int label = -1;
    List<String> names = new ArrayList<>();
    List<float[]> rows = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    List<Long> lines = new ArrayList<>();
    for (CSVRecord record : parser) {
      long line = parser.getCurrentLineNumber();
      if (width < 0) {
        width = header != null ? header.size() : record.size();
        if (width < 2) {
          throw new CsvFormatException(sourceName, line, 0, "expected a label column and at"
              + " least one feature column, found " + width + " column");
        }
        label = labelIndex(options, header, width, sourceName);
        for (int c = 0; c < width; c++) {
          if (c != label) {
            names.add(header != null ? header.get(c) : "column" + (c + 1));
          }
        }
      }
      if (record.size() != width) {
        throw new CsvFormatException(sourceName, line, 0, "expected " + width + " cells, found "
            + record.size());
      }
      float[] row = new float[width - 1];
      int j = 0;
      for (int c = 0; c < width; c++) {
        String cell = record.get(c);
        if (c == label) {
          if (cell.isEmpty()) {
            throw new CsvFormatException(sourceName, line, c + 1, "missing label"
                + columnName(header, c) + ": the label cell is empty");
          }
          labels.add(cell);
          continue;
        }
        row[j++] = number(cell, sourceName, line, c, header);
      }
      rows.add(row);
      lines.add(line);
    }
    if (rows.isEmpty()) {
      throw new CsvFormatException(sourceName, 0, 0, "no data rows");
    }
    List<String> classes = options.classes() != null ? options.classes() : sortedClasses(labels);
    Map<String, Integer> index = new HashMap<>();
    for (int c = 0; c < classes.size(); c++) {
      index.put(classes.get(c), c);
    }
    int featureCount = width - 1;
    float[] features = new float[rows.size() * featureCount];
    int[] classIndices = new int[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      System.arraycopy(rows.get(r), 0, features, r * featureCount, featureCount);
      Integer c = index.get(labels.get(r));
      if (c == null) {
        throw new CsvFormatException(sourceName, lines.get(r), label + 1, "label '"
            + labels.get(r) + "'" + columnName(header, label) + " is not one of the classes "
            + classes);
      }
      classIndices[r] = c;
    }
    Dataset dataset = Dataset.ofClassIndices(features, featureCount, classIndices,
        classes.size(), sourceName);
    return new CsvDataset(dataset, classes, names);
  }

  private static int labelIndex(Options o, List<String> header, int width, String source)
      throws CsvFormatException {
    if (o.labelName() != null) {
      if (header == null) {
        throw new CsvFormatException(source, 1, 0, "the label column is named '" + o.labelName()
            + "' but the options say the file has no header");
      }
      int i = header.indexOf(o.labelName());
      if (i < 0) {
        throw new CsvFormatException(source, 1, 0, "no column named '" + o.labelName()
            + "'; the header has " + header);
      }
      return i;
    }
    int i = o.labelIndex() < 0 ? width - 1 : o.labelIndex();
    if (i >= width) {
      throw new CsvFormatException(source, 1, 0, "label column index " + i + " but the file has "
          + width + " columns (indices from 0)");
    }
    return i;
  }

  private static float number(String cell, String source, long line, int c, List<String> header)
      throws CsvFormatException {
    float v;
    try {
      v = cell.isEmpty() ? Float.NaN : Float.parseFloat(cell);
    } catch (NumberFormatException e) {
      v = Float.NaN;
    }
    if (!Float.isFinite(v) || cell.endsWith("f") || cell.endsWith("d") || cell.endsWith("F")
        || cell.endsWith("D")) {
      throw new CsvFormatException(source, line, c + 1, "expected a finite number"
          + columnName(header, c) + ", found " + (cell.isEmpty() ? "an empty cell" : "'" + cell
          + "'"));
    }
    return v;
  }

  private static String columnName(List<String> header, int c) {
    return header == null ? "" : " in column '" + header.get(c) + "'";
  }

  private static List<String> sortedClasses(List<String> labels) {
    Set<String> distinct = new LinkedHashSet<>(labels);
    List<String> classes = new ArrayList<>(distinct);
    boolean integers = classes.stream().allMatch(s -> s.matches("[+-]?\\d{1,18}"));
    Collections.sort(classes, integers ? Comparator.comparingLong(Long::parseLong)
        : Comparator.naturalOrder());
    return classes;
  }
}
