package dev.tandem.supervisor.router;

import dev.tandem.supervisor.pool.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the pools serve, as hosts see it: one list each of tools, prompts, resources and
 * resource templates, and which pool serves each item. Rebuilt whole when a pool's offer changes,
 * so readers always see one consistent snapshot.
 */
public final class Catalog {

  public final Listing tools;
  public final Listing prompts;
  public final Listing resources;
  public final Listing templates;
  private final List<Template> matchers;

  private record Template(UriTemplate template, Pool pool) {}

  private Catalog(Listing tools, Listing prompts, Listing resources, Listing templates) {
    this.tools = tools;
    this.prompts = prompts;
    this.resources = resources;
    this.templates = templates;
    List<Template> m = new ArrayList<>();
    for (Listing.Entry e : templates.entries())
      m.add(new Template(new UriTemplate(e.key()), e.pool()));
    this.matchers = List.copyOf(m);
  }

  /** Throws {@link Conflict} when two pools serve one name or URI. */
  public static Catalog of(List<Pool> pools) {
    return new Catalog(
        Listing.collect("tool", "name", pools, p -> p.offer().tools()),
        Listing.collect("prompt", "name", pools, p -> p.offer().prompts()),
        Listing.collect("resource", "uri", pools, p -> p.offer().resources()),
        Listing.collect(
            "resource template", "uriTemplate", pools, p -> p.offer().resourceTemplates()));
  }

  /** The pool serving a URI: a listed resource first, else the first template that matches. */
  public Pool poolForUri(String uri) {
    Listing.Entry listed = resources.find(uri);
    if (listed != null) return listed.pool();
    for (Template t : matchers) {
      if (t.template().matches(uri)) return t.pool();
    }
    return null;
  }

  /** Two pools claim one name or URI, or a pool lists an item that cannot be addressed. */
  public static final class Conflict extends RuntimeException {
    public Conflict(String message) {
      super(message);
    }
  }
}
