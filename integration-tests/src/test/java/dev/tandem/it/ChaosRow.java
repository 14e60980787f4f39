package dev.tandem.it;

import java.util.List;

/**
 * One line of the chaos table: how many calls a fault scenario tried and what became of them.
 * {@code correct} is the expected result or the precise expected error for that fault; {@code lost}
 * got no answer by the deadline; {@code doubled} got more answers than requests; {@code leaked}
 * counts processes alive after the daemon was gone.
 */
record ChaosRow(
    String scenario,
    String transport,
    int tried,
    int correct,
    int lost,
    int doubled,
    int leaked,
    String note,
    List<String> wrong) {

  static ChaosRow failed(String scenario, String transport, Throwable e) {
    String why =
        e.getClass().getSimpleName()
            + ": "
            + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    return new ChaosRow(scenario, transport, 0, 0, 0, 0, 0, "scenario failed to run", List.of(why));
  }

  /** The same counts, with a note only known once the daemon is gone. */
  ChaosRow withNote(String note) {
    return new ChaosRow(scenario, transport, tried, correct, lost, doubled, leaked, note, wrong);
  }

  /** Every call answered once, as expected, and nothing left running. */
  boolean clean() {
    return tried > 0 && correct == tried && lost == 0 && doubled == 0 && leaked == 0;
  }
}
