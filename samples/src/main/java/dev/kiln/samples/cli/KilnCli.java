package dev.kiln.samples.cli;

import java.io.PrintWriter;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/**
 * The samples' command line: {@code train} (the default), {@code evaluate}, {@code predict} and
 * {@code schedule}. {@code java -jar samples/target/kiln-samples.jar} with no arguments trains
 * the reference network; a first argument that is neither a command nor an option is taken as
 * the data directory ({@code train --data DIR}), as the jar accepted before it had commands.
 */
@Command(name = "kiln-samples", mixinStandardHelpOptions = true,
    version = "Kiln samples 0.1.0-SNAPSHOT",
    description = "Train, evaluate and inspect Kiln's sample networks on Fashion-MNIST.",
    subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class,
        ScheduleCommand.class, HelpCommand.class})
public final class KilnCli implements Runnable {
  private static final Set<String> COMMANDS = Set.of("train", "evaluate", "predict", "schedule",
      "help", "-h", "--help", "-V", "--version");

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /**
   * Runs the command line in this JVM and returns the exit status: 0 on success, 2 for a usage
   * error, 1 for a failure (its message printed, without a stack trace unless {@code
   * -Dkiln.stacktrace=true}).
   */
  public static int execute(String... args) {
    quietLogging();
    CommandLine line = new CommandLine(new KilnCli());
    line.setExecutionExceptionHandler((e, cmd, parsed) -> {
      PrintWriter err = cmd.getErr();
      err.println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
      if (Boolean.getBoolean("kiln.stacktrace")) {
        e.printStackTrace(err);
      }
      err.flush();
      return 1;
    });
    return line.execute(withDefaultCommand(args));
  }

  /** {@code train} when no command is given; {@code train --data DIR} for a bare path. */
  static String[] withDefaultCommand(String[] args) {
    if (args.length == 0) {
      return new String[] {"train"};
    }
    if (COMMANDS.contains(args[0])) {
      return args;
    }
    String[] out;
    if (args[0].startsWith("-")) {
      out = new String[args.length + 1];
      out[0] = "train";
      System.arraycopy(args, 0, out, 1, args.length);
    } else {
      out = new String[args.length + 2];
      out[0] = "train";
      out[1] = "--data";
      System.arraycopy(args, 0, out, 2, args.length);
    }
    return out;
  }

  /** ND4J's start-up chatter at warn; Kiln's own log lines (early stopping) at info. */
  private static void quietLogging() {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
      System.setProperty("org.slf4j.simpleLogger.log.dev.kiln", "info");
    }
  }

  @Override
  public void run() {
    // a bare "kiln-samples" goes to train (withDefaultCommand); reaching here means options only
    new CommandLine(this).usage(System.out);
  }
}
