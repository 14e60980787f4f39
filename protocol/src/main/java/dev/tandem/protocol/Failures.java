package dev.tandem.protocol;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The failure behind the wrappers CompletableFuture puts around it, for every module's use. */
public final class Failures {

  private Failures() {}

  /** The cause under any CompletionException or ExecutionException layers. */
  public static Throwable cause(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
