package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code serve --cluster} without {@code pg.url}: refused before anything starts, saying what to do. */
class ServeClusterRefusalTest {

  private static int run(StringWriter err, String... args) {
    CommandLine cl = Main.commandLine();
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(Main.withDefaultCommand(args));
  }

  @Test
  void cluster_without_pg_url_exits_2_saying_how_to_share_one_database() {
    StringWriter err = new StringWriter();
    int code = run(err, "--cluster", "--conf", "{\"pg\": {\"url\": \"\"}}");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("fanout: config pg.url: not set, and a cluster needs one database shared by every node")
        .contains("FANOUT_PG_URL=postgresql://").contains("FANOUT_CLUSTER_EMBEDDED_DATABASE=true")
        .contains("docs/operations.md");
  }

  @Test
  void cluster_enabled_in_the_configuration_is_refused_the_same_way() {
    StringWriter err = new StringWriter();
    int code = run(err, "serve", "--conf", "{\"cluster\": {\"enabled\": true}, \"pg\": {\"url\": \"\"}}");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("FANOUT_PG_URL=postgresql://");
  }
}
