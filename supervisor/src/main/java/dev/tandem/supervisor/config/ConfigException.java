package dev.tandem.supervisor.config;

/** A configuration that cannot be served; the message names the file, the key and the fix. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
