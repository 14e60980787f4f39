package dev.tandem.supervisor.transport.http;

/**
 * The plain GET endpoints served beside {@code /mcp} on the same port (the admin ones): the
 * transport only carries them, so it needs no knowledge of what they report.
 */
@FunctionalInterface
public interface SideEndpoints {

  record Reply(int status, String contentType, String body) {}

  /**
   * The answer to a GET of {@code path}, or null when {@code path} is not one of these endpoints.
   */
  Reply get(String path);

  SideEndpoints NONE = path -> null;
}
