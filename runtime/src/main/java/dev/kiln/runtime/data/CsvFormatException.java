package dev.kiln.runtime.data;

import java.io.IOException;

/**
 * A CSV file that cannot be read as a labelled dataset: a cell that is not a number, a missing
 * label, a row with the wrong number of cells. The message names the source, the line (from 1,
 * counting the header line) and the column (from 1, with its header name where there is one).
 */
public final class CsvFormatException extends IOException {
  private final String source;
  private final long line;
  private final int column;

  /**
   * @param source the file path or stream name
   * @param line the line, from 1; 0 where no line applies
   * @param column the column, from 1; 0 where no column applies
   * @param message what is wrong and what was expected
   */
  public CsvFormatException(String source, long line, int column, String message) {
    super(source + (line > 0 ? ": line " + line : "") + (column > 0 ? ", column " + column : "")
        + ": " + message);
    this.source = source;
    this.line = line;
    this.column = column;
  }

  /** The file path or stream name. */
  public String source() {
    return source;
  }

  /** The line, from 1 (the header is line 1 where there is one); 0 where none applies. */
  public long line() {
    return line;
  }

  /** The column, from 1; 0 where none applies. */
  public int column() {
    return column;
  }
}
