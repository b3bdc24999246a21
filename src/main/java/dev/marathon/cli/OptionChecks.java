package dev.marathon.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of option values at the door: a bad one is exit 2 with the option named, before anything starts. */
final class OptionChecks {

  /** An http(s) URL with a host, a port in range if it has one, and no credentials. */
  static String url(String option, String value) {
    try {
      URI u = new URI(value);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
        throw new BadInputException(option + " must start with http:// or https://, got '" + value + "'");
      }
      String authority = u.getRawAuthority();
      if (u.getRawUserInfo() != null || authority != null && authority.contains("@")) {
        // Not echoed: the value holds the credentials.
        throw new BadInputException(option + " must not carry credentials (user:password@): a URL lands in shell history and"
            + " in the run's Temporal history; give the key in an environment variable named by --api-key-env");
      }
      if (u.getHost() == null || u.getHost().isBlank()) {
        throw new BadInputException(option + (authority != null && authority.contains(":")
            ? " has no valid HOST:PORT (a port is 1-65535): '" : " has no host: '") + value + "'");
      }
      if (u.getPort() != -1 && (u.getPort() < 1 || u.getPort() > 65535)) {
        throw new BadInputException(option + " has port " + u.getPort() + ", outside 1-65535: '" + value + "'");
      }
      return value;
    } catch (URISyntaxException e) {
      throw new BadInputException(option + " is not a valid URL ('" + value + "'): " + e.getReason());
    }
  }

  /** A Temporal address, {@code host:port}, with a host and a port 1-65535. */
  static String address(String option, String value) {
    if (value == null || value.isBlank()) throw new BadInputException(option + " is empty; give HOST:PORT, e.g. 127.0.0.1:7233");
    int colon = value.lastIndexOf(':');
    if (colon < 0) throw new BadInputException(option + " must be HOST:PORT, e.g. 127.0.0.1:7233, got '" + value + "'");
    if (value.substring(0, colon).isBlank()) throw new BadInputException(option + " has no host: '" + value + "'");
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new BadInputException(option + " has port '" + value.substring(colon + 1) + "', not one of 1-65535: '" + value + "'");
    }
    return value;
  }

  /** A TCP port. */
  static int port(String option, int value) {
    return between(option, value, 1, 65535);
  }

  /** Not empty or blank: picocli passes {@code ''} through as a value, which is never a usable one. */
  static String notBlank(String option, String value) {
    if (value != null && value.isBlank()) throw new BadInputException(option + " is empty");
    return value;
  }

  /** A path option given as {@code ''}, which would silently mean the current directory. */
  static Path notEmpty(String option, Path value) {
    if (value != null && value.toString().isBlank()) throw new BadInputException(option + " is empty; give a path");
    return value;
  }

  /**
   * Text for a run (a steering message, a reason): not blank and at most {@code maxChars}
   * characters; {@code hint} says what to do instead of a longer one.
   */
  static String text(String option, String value, int maxChars, String hint) {
    if (value == null || value.isBlank()) throw new BadInputException(option + " is empty");
    if (value.length() > maxChars) {
      throw new BadInputException(String.format(java.util.Locale.ROOT, "%s is %,d characters, over the cap of %,d; %s",
          option, value.length(), maxChars, hint));
    }
    return value;
  }

  /** A file to read whole: a regular file (not a device, a pipe or a directory) of at most {@code maxBytes}. */
  static Path smallFile(String option, Path file, long maxBytes, String cap) {
    notEmpty(option, file);
    if (!Files.exists(file)) throw new BadInputException(option + " " + file + " does not exist");
    if (!Files.isRegularFile(file)) throw new BadInputException(option + " " + file + " is not a regular file");
    try {
      long size = Files.size(file);
      if (size > maxBytes) throw new BadInputException(option + " " + file + " is " + size + " bytes, over the cap of " + cap);
    } catch (java.io.IOException e) {
      throw new BadInputException("cannot read " + option + " " + file + ": " + e.getMessage());
    }
    if (!Files.isReadable(file)) throw new BadInputException(option + " " + file + " is not readable");
    return file;
  }

  /** A file to write: not a directory, in a directory that exists. */
  static Path fileToWrite(String option, String value) {
    if (value == null || value.isBlank()) throw new BadInputException(option + " is empty; give a file");
    Path file = Path.of(value);
    if (Files.isDirectory(file)) throw new BadInputException(option + " " + value + " is a directory; give a file");
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) throw new BadInputException(option + " " + value + ": directory " + dir + " does not exist");
    return file;
  }

  /** Null (not given) or at least {@code min}. */
  static <N extends Number> N atLeast(String option, N value, double min) {
    if (value != null && (value.doubleValue() < min || Double.isNaN(value.doubleValue()) || Double.isInfinite(value.doubleValue()))) {
      throw new BadInputException(option + " must be at least " + format(min) + ", got " + value);
    }
    return value;
  }

  /** Null (not given) or greater than zero. */
  static <N extends Number> N positive(String option, N value) {
    if (value != null && !(value.doubleValue() > 0) || value != null && Double.isInfinite(value.doubleValue())) {
      throw new BadInputException(option + " must be greater than 0, got " + value);
    }
    return value;
  }

  static int between(String option, int value, int min, int max) {
    if (value < min || value > max) throw new BadInputException(option + " must be between " + min + " and " + max + ", got " + value);
    return value;
  }

  /** One of {@code allowed}. */
  static String oneOf(String option, String value, String... allowed) {
    for (String a : allowed) if (a.equals(value)) return value;
    throw new BadInputException(option + " must be " + String.join(" or ", allowed) + ", got '" + value + "'");
  }

  /** {@code on} or {@code off}. */
  static boolean onOff(String option, String value) {
    if ("on".equals(value)) return true;
    if ("off".equals(value)) return false;
    throw new BadInputException(option + " must be on or off, got '" + value + "'");
  }

  private static String format(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private OptionChecks() {}
}
