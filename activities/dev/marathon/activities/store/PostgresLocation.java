package dev.marathon.activities.store;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Where a PostgreSQL store is: a {@code postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=...]}
 * URL, as {@code MARATHON_STORE} or {@code --store} give it. The password may also come from
 * {@code PGPASSWORD}. It is kept out of {@link #toString}, which is what messages and logs show.
 */
public record PostgresLocation(String host, int port, String database, String user, String password, String query) {

  public static boolean isUrl(String location) {
    return location != null && (location.startsWith("postgresql://") || location.startsWith("postgres://"));
  }

  public static PostgresLocation parse(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a postgresql:// URL (expected postgresql://USER@HOST:PORT/DB)");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/", "");
    if (uri.getHost() == null || path.isEmpty() || path.contains("/")) {
      throw new IllegalArgumentException("a PostgreSQL store is postgresql://USER@HOST:PORT/DB, with a host and one database name");
    }
    String user = System.getProperty("user.name");
    String password = System.getenv("PGPASSWORD");
    String info = uri.getRawUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      if (colon >= 0) password = decode(info.substring(colon + 1));
    }
    return new PostgresLocation(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), decode(path), user, password, uri.getRawQuery());
  }

  String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database + (query == null ? "" : "?" + query);
  }

  Properties credentials() {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) p.setProperty("password", password);
    p.setProperty("ApplicationName", "marathon");
    return p;
  }

  /** The location without its password: what a message may show. */
  @Override
  public String toString() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
