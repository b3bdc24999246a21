package dev.marathon.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A secret's value is redacted as itself and in the encodings a command would print it in. */
class SecretsRedactionTest {
  static final String KEY = "sk-live-4f9a2c7e1b8d6035aa91";
  final Secrets secrets = new Secrets(Map.of("LLM_CRED", KEY, "OTHER", "harmless-value"), Set.of("LLM_CRED"));

  @Test
  void theValueItselfAndItsHexAreRedacted() {
    assertEquals("key=[REDACTED];", secrets.redact("key=" + KEY + ";"));
    String hex = HexFormat.of().formatHex(KEY.getBytes(StandardCharsets.UTF_8));
    assertFalse(secrets.redact("dump " + hex + " end").contains(hex));
    assertFalse(secrets.redact(hex.toUpperCase()).contains(hex.toUpperCase()));
    assertEquals("harmless-value", secrets.redact("harmless-value"), "only secrets are touched");
  }

  @Test
  void base64AtAnyAlignmentAndWrappedOverLinesIsRedacted() {
    for (String prefix : new String[] {"", "A", "AB", "PATH=/usr/bin\0LLM_CRED="}) {
      byte[] environ = (prefix + KEY + "\0HOME=/root\0").getBytes(StandardCharsets.UTF_8);
      String b64 = Base64.getEncoder().encodeToString(environ);
      String wrapped = b64.replaceAll("(.{12})", "$1\n"); // base64 wraps its lines
      for (String shown : new String[] {b64, wrapped, Base64.getUrlEncoder().encodeToString(environ)}) {
        String redacted = secrets.redact("out: " + shown);
        assertTrue(redacted.contains("[REDACTED]"), prefix + " / " + shown);
        String decoded = decodeWhatIsLeft(redacted);
        assertFalse(decoded.contains(KEY.substring(3, KEY.length() - 3)), "the key can be decoded back from: " + redacted);
      }
    }
  }

  @Test
  void aKeyVariableOfAnyNameIsASecretOnceNamed() {
    Secrets fresh = new Secrets(Map.of("LLM_CRED", KEY), Set.of());
    assertEquals(KEY, fresh.redact(KEY), "unnamed and not ending in KEY: not known yet");
    fresh.remember("LLM_CRED"); // what --api-key-env LLM_CRED does, in every activity that knows the run
    assertEquals("[REDACTED]", fresh.redact(KEY));
  }

  /** Whatever base64 survives redaction, decoded as far as it goes. */
  static String decodeWhatIsLeft(String text) {
    StringBuilder all = new StringBuilder();
    for (String piece : text.replace("\n", "").split("\\[REDACTED]|\\s")) {
      String p = piece.replaceAll("[^A-Za-z0-9+/_-]", "");
      for (int cut = 0; cut < 4 && p.length() - cut >= 4; cut++) {
        String q = p.substring(cut);
        q = q.substring(0, q.length() - q.length() % 4);
        try {
          all.append(new String(Base64.getDecoder().decode(q.replace('-', '+').replace('_', '/')), StandardCharsets.ISO_8859_1));
        } catch (IllegalArgumentException ignored) {
          // not base64 from here
        }
      }
    }
    return all.toString();
  }
}
