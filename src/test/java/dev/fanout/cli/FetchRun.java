package dev.fanout.cli;

import dev.fanout.Main;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** One {@code fanout fetch} run in this JVM, as the command line runs it: its exit code, stdout and stderr. */
record FetchRun(int code, String out, String err) {
  /** Runs {@code args} (the {@code fetch} subcommand by default) with {@code stdin} as standard input. */
  static FetchRun of(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    CommandLine.IFactory factory = new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        if (cls == FetchCommand.class) {
          return cls.cast(new FetchCommand(
              new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, errStream));
        }
        return CommandLine.defaultFactory().create(cls);
      }
    };
    CommandLine cl = Main.commandLine(factory);
    cl.setErr(new PrintWriter(errStream, true));
    int code = cl.execute(Main.withDefaultCommand(args));
    return new FetchRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The result lines of stdout. */
  List<JsonObject> results() {
    List<JsonObject> r = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        r.add(new JsonObject(line));
      }
    }
    return r;
  }

  /** The output with each result's elapsed time zeroed: what may differ between two runs. */
  String timeless() {
    return out.replaceAll("\"elapsedMs\":\\d+", "\"elapsedMs\":0");
  }
}
