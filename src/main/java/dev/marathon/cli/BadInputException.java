package dev.marathon.cli;

/** The user asked for something that cannot work; exits with {@link ExitCodes#BAD_INPUT}. */
final class BadInputException extends RuntimeException {
  BadInputException(String message) {
    super(message);
  }
}
