package dev.fanout;

import dev.fanout.cli.EnqueueCommand;
import dev.fanout.cli.FetchCommand;
import dev.fanout.cli.InputFailure;
import dev.fanout.cli.MigrateCommand;
import dev.fanout.cli.ServeCommand;
import dev.fanout.config.ConfigException;
import java.util.Arrays;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The command line: {@code serve} (the default), {@code fetch}, {@code enqueue}, {@code migrate}, {@code help};
 * {@code --help} on each. Options before any subcommand go to {@code serve}, so
 * {@code fanout --conf x.json} serves.
 */
@Command(
    name = "fanout",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Runs large amounts of concurrent I/O politely, durably and fast.",
    subcommands = {
        ServeCommand.class, FetchCommand.class, EnqueueCommand.class, MigrateCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {
  private static final Set<String> TOP_LEVEL = Set.of("-h", "--help", "-V", "--version");

  /** Runs the command line and exits with its code (serve returns only when stopped). */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line; returns the exit code: 0 done, 1 failed, 2 bad usage or config. */
  public static int run(String[] args) {
    return commandLine().execute(withDefaultCommand(args));
  }

  /** The configured picocli command line. */
  public static CommandLine commandLine() {
    return commandLine(CommandLine.defaultFactory());
  }

  /** The command line with commands made by {@code factory} (tests give commands other streams). */
  public static CommandLine commandLine(CommandLine.IFactory factory) {
    CommandLine cl = new CommandLine(new Main(), factory);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof ConfigException || e instanceof InputFailure || e instanceof CommandLine.ParameterException) {
        cmd.getErr().println("fanout: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cl;
  }

  /** Puts {@code serve} in front of arguments that start with an option other than help/version. */
  public static String[] withDefaultCommand(String[] args) {
    if (args.length == 0 || args[0].startsWith("-") && !TOP_LEVEL.contains(args[0])) {
      String[] out = new String[args.length + 1];
      out[0] = "serve";
      System.arraycopy(args, 0, out, 1, args.length);
      return out;
    }
    return Arrays.copyOf(args, args.length);
  }

  /** Reports {@link Version#get()}. */
  public static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"fanout " + Version.get()};
    }
  }
}
