package dev.kiln.samples.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in this JVM, capturing its exit status, standard output and error. */
record CliRun(int status, String out, String err) {
  static CliRun of(String... args) {
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = KilnCli.execute(args);
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    CliRun r = new CliRun(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
    savedOut.print(r.out());
    savedErr.print(r.err());
    return r;
  }

  /** Standard output and error together. */
  String all() {
    return out + err;
  }
}
