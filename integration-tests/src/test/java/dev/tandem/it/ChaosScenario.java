package dev.tandem.it;

import java.nio.file.Path;

/** A fault and the calls made through it: run in a directory of its own, it returns its row. */
record ChaosScenario(String name, String transport, Body body) {

  interface Body {
    ChaosRow run(ChaosScenario self, Path dir) throws Exception;
  }

  ChaosRow run(Path dir) {
    try {
      return body.run(this, dir);
    } catch (Throwable e) {
      return ChaosRow.failed(name, transport, e);
    }
  }
}
