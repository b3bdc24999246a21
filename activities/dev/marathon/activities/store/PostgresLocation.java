package dev.marathon.activities.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Properties;

/**
 * Where a PostgreSQL database is: a {@code postgresql://USER@HOST[:PORT]/DB[?sslmode=...]} URL, as
 * {@code MARATHON_STORE} or {@code server --postgres} give it, with the password from {@code
 * PGPASSWORD} (never in the URL). It is kept out of {@link #toString}, what messages and logs show.
 */
public record PostgresLocation(String host, int port, String database, String user, String password, String query) {

  public static boolean isUrl(String location) {
    return location != null && (location.startsWith("postgresql://") || location.startsWith("postgres://"));
  }

  /** Names that go into a connection string and the server's configuration as they are. */
  private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,52}");
  private static final java.util.regex.Pattern HOST = java.util.regex.Pattern.compile("[A-Za-z0-9.-]{1,253}");
  private static final java.util.regex.Pattern QUERY = java.util.regex.Pattern.compile("sslmode=(disable|allow|prefer|require|verify-ca|verify-full)");

  /** Parses {@code url}; the password comes from {@code PGPASSWORD}. */
  public static PostgresLocation parse(String url) {
    return parse(url, System.getenv("PGPASSWORD"));
  }

  /**
   * Parses {@code url} with {@code password}. A password inside the URL is refused: a URL is seen on
   * command lines, in {@code ps} and in shell history, so it comes from {@code PGPASSWORD} instead.
   * User, database and host are plain names (they go into connection strings and the server's
   * configuration as they are); the only query parameter is {@code sslmode}.
   */
  public static PostgresLocation parse(String url, String password) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("not a postgresql:// URL (expected postgresql://USER@HOST:PORT/DB)");
    }
    String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    if (uri.getHost() == null || path.isEmpty() || path.contains("/")) {
      throw new IllegalArgumentException("a PostgreSQL store is postgresql://USER@HOST:PORT/DB, with a host and one database name");
    }
    String user = System.getProperty("user.name");
    String info = uri.getUserInfo();
    if (info != null) {
      if (info.contains(":")) {
        throw new IllegalArgumentException("the URL carries a password, which command lines, ps and shell history would show:"
            + " give postgresql://USER@HOST:PORT/DB and the password in PGPASSWORD");
      }
      user = info;
    }
    if (!NAME.matcher(user).matches() || !NAME.matcher(path).matches()) {
      throw new IllegalArgumentException("the user and the database must be plain names (letters, digits, '_', '.', '-'; at most 52)");
    }
    if (!HOST.matcher(uri.getHost()).matches()) throw new IllegalArgumentException("the host must be a plain host name or IPv4 address");
    if (uri.getRawQuery() != null && !QUERY.matcher(uri.getRawQuery()).matches()) {
      throw new IllegalArgumentException("the only parameter a PostgreSQL URL may carry is sslmode=disable|allow|prefer|require|verify-ca|verify-full");
    }
    return new PostgresLocation(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), path, user, password, uri.getRawQuery());
  }

  /** The same server and credentials, another database (the Temporal server's visibility database, say). */
  public PostgresLocation in(String otherDatabase) {
    return new PostgresLocation(host, port, otherDatabase, user, password, query);
  }

  /** A new connection to it; the password goes in the driver's properties, not the URL. */
  public java.sql.Connection connect() throws java.sql.SQLException {
    return java.sql.DriverManager.getConnection(jdbcUrl(), credentials());
  }

  String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database + (query == null ? "" : "?" + query);
  }

  Properties credentials() {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) p.setProperty("password", password);
    p.setProperty("ApplicationName", "marathon");
    p.setProperty("connectTimeout", "30");
    p.setProperty("socketTimeout", "600"); // a partitioned database fails the activity (retried) instead of hanging it
    p.setProperty("tcpKeepAlive", "true");
    return p;
  }

  /** The location without its password: what a message may show. */
  @Override
  public String toString() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
  }

}
