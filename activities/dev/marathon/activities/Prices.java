package dev.marathon.activities;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.marathon.workflows.ModelSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Price per million tokens by model id, from {@code marathon/prices.json} and, on top, a user's
 * own table ({@code ~/.marathon/prices.json}); a run's explicit price wins over both. Unknown
 * models cost 0 (local models), which the status output makes visible.
 */
public final class Prices {
  private final Map<String, ModelSettings.Price> table;

  private Prices(Map<String, ModelSettings.Price> table) {
    this.table = table;
  }

  public static Prices load(Path userTable) {
    Map<String, ModelSettings.Price> t = new HashMap<>();
    try (InputStream in = Prices.class.getResourceAsStream("/marathon/prices.json")) {
      if (in != null) t.putAll(Json.MAPPER.readValue(in, new TypeReference<Map<String, ModelSettings.Price>>() {}));
      if (userTable != null && Files.exists(userTable)) {
        t.putAll(Json.MAPPER.readValue(userTable.toFile(), new TypeReference<Map<String, ModelSettings.Price>>() {}));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read price table: " + e.getMessage(), e);
    }
    Map<String, ModelSettings.Price> lower = new HashMap<>();
    t.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    return new Prices(lower);
  }

  public ModelSettings.Price of(ModelSettings settings) {
    if (settings.price() != null) return settings.price();
    return table.getOrDefault(settings.model().toLowerCase(Locale.ROOT), new ModelSettings.Price(0, 0, 0));
  }
}
