package dev.kiln.samples;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The arguments of {@link PruneFashion} and {@link DistillFashion}, parsed by picocli: an unknown
 * or misspelt option is refused with picocli's "did you mean" and the usage.
 */
final class ExperimentArgs {
  @Option(names = "--data", paramLabel = "DIR", description = "Directory with the four"
      + " Fashion-MNIST IDX files (default: the installed set, else the embedded subset).")
  Path data;

  @Option(names = "--epochs", paramLabel = "N", description = "Epochs per training (default:"
      + " each configuration's).")
  Integer epochs;

  @Option(names = "--out", paramLabel = "DIR", description = "Where files go (default:"
      + " ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--only", paramLabel = "A,B", split = ",", description = "Only these runs"
      + " (PruneFashion: baseline, global, neurons).")
  List<String> only = List.of("baseline", "global", "neurons");

  @Option(names = "--teacher", paramLabel = "FILE", description = "DistillFashion: a saved"
      + " teacher network instead of training one.")
  Path teacher;

  @Option(names = "--teacher-epochs", paramLabel = "N", description = "DistillFashion: epochs"
      + " of the teacher (default: its configuration's).")
  Integer teacherEpochs;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
  boolean help;

  boolean runs(String name) {
    return only.contains(name);
  }

  /**
   * Parses {@code args} for the program {@code name}; on a usage error prints it (with picocli's
   * suggestions and the usage) to {@code err} and returns null, and for {@code --help} prints
   * the usage and returns null.
   */
  static ExperimentArgs parse(String name, Path defaultOut, PrintStream err, String... args) {
    ExperimentArgs a = new ExperimentArgs();
    a.out = defaultOut;
    CommandLine line = new CommandLine(a).setCommandName(name);
    PrintWriter w = new PrintWriter(err, true);
    try {
      line.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      w.println(e.getMessage());
      if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, w)) {
        line.usage(w);
      }
      return null;
    }
    if (a.help) {
      line.usage(w);
      return null;
    }
    for (String run : a.only) {
      if (!List.of("baseline", "global", "neurons", "teacher", "student", "distilled")
          .contains(run)) {
        w.println("--only " + run + ": unknown run; PruneFashion has baseline, global, neurons");
        return null;
      }
    }
    return a;
  }
}
