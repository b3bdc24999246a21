package dev.marathon.runtime;

import java.util.Locale;

/** Context windows of well-known models, so a user rarely has to set one (docs/model-protocol.md). */
public final class ModelDefaults {
  public static final long FALLBACK_WINDOW = 128_000;

  public static long contextWindow(String model) {
    String m = model.toLowerCase(Locale.ROOT);
    if (m.startsWith("glm-5") || m.startsWith("glm-4.7") || m.startsWith("glm-4.6")) return 200_000;
    if (m.startsWith("kimi-k2")) return 262_144;
    if (m.startsWith("deepseek-v4")) return 1_000_000;
    return FALLBACK_WINDOW;
  }

  private ModelDefaults() {}
}
