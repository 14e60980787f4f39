package dev.tandem.supervisor.router;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Matches a URI against an RFC 6570 template, enough to route {@code resources/read} to the pool
 * whose template produced the URI: simple {@code {var}} expressions match one path segment, {@code
 * {+var}} and {@code {/var*}}-style ones any run of characters. The worker does the real expansion;
 * here we only need "could this template have made that URI".
 */
final class UriTemplate {

  private static final Pattern EXPRESSION = Pattern.compile("\\{([+#./;?&]?)([^}]*)}");

  private final Pattern pattern;

  UriTemplate(String template) {
    StringBuilder regex = new StringBuilder("^");
    Matcher m = EXPRESSION.matcher(template);
    int last = 0;
    while (m.find()) {
      regex.append(Pattern.quote(template.substring(last, m.start())));
      String operator = m.group(1);
      boolean explode = m.group(2).endsWith("*");
      regex.append(
          operator.isEmpty() && !explode
              ? "[^/?#]+"
              : operator.equals("?") || operator.equals("&") ? "(?:[?&][^#]*)?" : ".*");
      last = m.end();
    }
    regex.append(Pattern.quote(template.substring(last))).append('$');
    this.pattern = Pattern.compile(regex.toString());
  }

  boolean matches(String uri) {
    return pattern.matcher(uri).matches();
  }
}
