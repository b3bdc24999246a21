package dev.marathon.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Links into the Temporal Web UI. */
final class Ui {

  /** The run's page; without a run id the UI shows the latest execution of the workflow id. */
  static String runUrl(String uiBase, String namespace, String runId) {
    return uiBase + "/namespaces/" + enc(namespace) + "/workflows/" + enc(runId);
  }

  static String executionUrl(String uiBase, String namespace, String runId, String executionRunId) {
    return runUrl(uiBase, namespace, runId) + "/" + enc(executionRunId) + "/history";
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private Ui() {}
}
