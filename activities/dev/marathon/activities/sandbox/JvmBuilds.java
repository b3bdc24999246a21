package dev.marathon.activities.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * JVM builds in the sandbox use the run's home, not the user's. Java takes {@code user.home} from
 * the password database, not {@code $HOME}, so Maven and Gradle wrote (or, read-only, failed to
 * write) the user's real {@code ~/.m2} and {@code ~/.gradle}; {@code JAVA_TOOL_OPTIONS} names the
 * run's home to every JVM, with the egress proxy when the network goes through it. Maven gets its
 * settings in the run's home: the proxy, and the user's own local repository as a read-only
 * {@code file://} repository tried before Maven Central, so a run copies what the user already
 * has instead of downloading the world again, and downloads only what is new, into the run's home.
 */
final class JvmBuilds {
  private JvmBuilds() {}

  /** Adds {@code JAVA_TOOL_OPTIONS} to {@code env} (unless the environment already sets it). */
  static void configure(Map<String, String> env, Path home, boolean proxied) {
    String options = "-Duser.home=" + home;
    if (proxied) {
      String proxy = "127.0.0.1";
      int port = Network.PROXY_PORT;
      options += " -Dhttp.proxyHost=" + proxy + " -Dhttp.proxyPort=" + port + " -Dhttps.proxyHost=" + proxy
          + " -Dhttps.proxyPort=" + port + " -Dhttp.nonProxyHosts=localhost|127.0.0.1";
    }
    env.putIfAbsent("JAVA_TOOL_OPTIONS", options);
  }

  /** Writes the run's Maven settings once (the agent may change them: they are its own). */
  static void mavenSettings(Path home, Path userHome, boolean proxied) {
    Path settings = home.resolve(".m2/settings.xml");
    // The run's home is the agent's to write: never follow a link it left there.
    if (Files.exists(settings, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(home) || Files.isSymbolicLink(settings.getParent())) return;
    StringBuilder xml = new StringBuilder("<settings>\n  <!-- Written by Marathon for this run; yours to change. -->\n");
    if (proxied) {
      xml.append("  <proxies>\n");
      for (String protocol : new String[] {"http", "https"}) {
        xml.append("    <proxy><id>marathon-").append(protocol).append("</id><active>true</active><protocol>").append(protocol)
            .append("</protocol><host>127.0.0.1</host><port>").append(Network.PROXY_PORT)
            .append("</port><nonProxyHosts>localhost|127.0.0.1</nonProxyHosts></proxy>\n");
      }
      xml.append("  </proxies>\n");
    }
    Path userRepository = userHome == null ? null : userHome.resolve(".m2/repository");
    if (userRepository != null && Files.isDirectory(userRepository)) {
      String repo = "<id>marathon-user-cache</id><url>" + userRepository.toUri()
          + "</url><releases><enabled>true</enabled></releases><snapshots><enabled>false</enabled></snapshots>";
      xml.append("  <profiles><profile><id>marathon-user-cache</id>\n")
          .append("    <repositories><repository>").append(repo).append("</repository></repositories>\n")
          .append("    <pluginRepositories><pluginRepository>").append(repo).append("</pluginRepository></pluginRepositories>\n")
          .append("  </profile></profiles>\n  <activeProfiles><activeProfile>marathon-user-cache</activeProfile></activeProfiles>\n");
    }
    xml.append("</settings>\n");
    try {
      Files.createDirectories(settings.getParent());
      Files.writeString(settings, xml, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS);
    } catch (IOException | RuntimeException e) {
      // The home is the agent's: a file where .m2 should be is its own business, and no reason to fail its commands.
      LoggerFactory.getLogger(JvmBuilds.class).warn("no Maven settings for {}: {}", home, e.toString());
    }
  }
}
