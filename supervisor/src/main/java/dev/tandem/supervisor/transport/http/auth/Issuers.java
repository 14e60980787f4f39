package dev.tandem.supervisor.transport.http.auth;

/**
 * Issuer identifiers compare as strings (RFC 8414 §3.3, RFC 9068 §4), with one tolerance: a
 * trailing slash on an origin-only issuer, which URL libraries add ("http://as:9000/") and config
 * files leave out. Anything else that differs is another issuer.
 */
final class Issuers {

  private Issuers() {}

  static boolean same(String configured, String presented) {
    if (presented == null) return false;
    return strip(configured).equals(strip(presented));
  }

  private static String strip(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
