package dev.marathon.runtime;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.JacksonJsonPayloadConverter;

/**
 * Temporal's default converter, but tolerant of unknown fields: a worker must be able to read
 * state written by a newer version (rolling upgrades, resumes across versions).
 */
public final class DataConverters {

  public static DataConverter marathon() {
    return DefaultDataConverter.newDefaultInstance().withPayloadConverterOverrides(new JacksonJsonPayloadConverter(mapper()));
  }

  /** The mapper behind a {@code json/plain} payload: for reading one that came another way (the HTTP API). */
  public static ObjectMapper mapper() {
    return JacksonJsonPayloadConverter.newDefaultObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  }

  private DataConverters() {}
}
