package dev.kiln.samples.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;

/**
 * The samples' command line: {@code train} (also what runs when no command is given), {@code
 * evaluate}, {@code predict}, {@code generate} (text from a GPT checkpoint) and {@code
 * schedule}. The top-level command takes {@code train}'s
 * options itself, so picocli parses every argument: an unknown word is an error with a "did you
 * mean" ({@code trian} suggests {@code train}), never a data folder or a silent training run.
 */
@Command(name = "kiln-samples", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = KilnCli.Version.class,
    description = {"Train, evaluate and inspect Kiln's sample networks on Fashion-MNIST or CSV"
        + " data.", "Without a command it trains, with the train options below."},
    subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class,
        GenerateCommand.class, ScheduleCommand.class, HelpCommand.class})
public final class KilnCli implements Callable<Integer> {
  @Mixin TrainOptions train;

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
      err.println("error: " + Messages.of(e));
      if (Boolean.getBoolean("kiln.stacktrace")) {
        e.printStackTrace(err);
      }
      err.flush();
      return 1;
    });
    line.setParameterExceptionHandler((e, parsed) -> {
      // the message and a pointer to --help, not the whole usage (picocli's short hint)
      CommandLine cmd = e.getCommandLine();
      PrintWriter err = cmd.getErr();
      err.println(cmd.getColorScheme().errorText(e.getMessage()));
      if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more"
            + " information.");
      }
      err.flush();
      return cmd.getExitCodeExceptionMapper() != null
          ? cmd.getExitCodeExceptionMapper().getExitCode(e)
          : cmd.getCommandSpec().exitCodeOnInvalidInput();
    });
    return line.execute(args);
  }

  /**
   * ND4J's start-up chatter at warn; Kiln's own log lines (early stopping) at info, except the
   * fit loop's "resumed from", which {@code train} says itself.
   */
  private static void quietLogging() {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
      System.setProperty("org.slf4j.simpleLogger.log.dev.kiln", "info");
      System.setProperty("org.slf4j.simpleLogger.log.dev.kiln.runtime.train.Training", "warn");
    }
  }

  @Override
  public Integer call() throws Exception {
    return TrainCommand.run(train);
  }

  /** The project version, from the jar's manifest (Maven writes it there). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"Kiln samples " + dev.kiln.runtime.checkpoint.KilnVersion.get()};
    }
  }
}
