package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What a scenario expects of each request id, checked once every answer the daemon will ever write
 * is in (after it exited), so that a second answer is counted wherever it came from.
 */
final class ChaosTally {

  /**
   * An expectation of the answers to one id: how many requests used it, and which answers are
   * right.
   */
  interface Check {
    int requests();

    /** How many of the answers are the right ones, at most {@link #requests()}. */
    int correct(List<JsonNode> answers);
  }

  private final Map<String, Check> expected = new LinkedHashMap<>();
  private final Map<String, String> described = new LinkedHashMap<>();

  /** One request with this id, answered once with an answer {@code right} accepts. */
  void expect(String id, String what, Predicate<JsonNode> right) {
    expect(
        id,
        what,
        new Check() {
          public int requests() {
            return 1;
          }

          public int correct(List<JsonNode> answers) {
            return answers.size() == 1 && right.test(answers.get(0)) ? 1 : 0;
          }
        });
  }

  void expect(String id, String what, Check check) {
    if (expected.put(id, check) != null)
      throw new IllegalArgumentException("id " + id + " expected twice");
    described.put(id, what);
  }

  private final Map<String, String> unanswered = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Why an id got no answer, when the client knows (an exception): shown instead of "no answer".
   */
  void noAnswer(String id, String why) {
    unanswered.put(id, why);
  }

  /** Counts the answers filed by id; a sample of the wrong ones goes in the row for the report. */
  ChaosRow row(
      String scenario,
      String transport,
      Map<String, List<JsonNode>> answers,
      int leaked,
      String note) {
    int tried = 0, correct = 0, lost = 0, doubled = 0;
    List<String> wrong = new ArrayList<>();
    for (var e : expected.entrySet()) {
      Check check = e.getValue();
      List<JsonNode> got = answers.getOrDefault(e.getKey(), List.of());
      int n = check.requests();
      int right = Math.min(n, check.correct(got));
      tried += n;
      correct += right;
      lost += Math.max(0, n - got.size());
      doubled += Math.max(0, got.size() - n);
      if (right < n && wrong.size() < 3) {
        String seen =
            got.isEmpty()
                ? "no answer"
                    + (unanswered.containsKey(e.getKey())
                        ? " (" + unanswered.get(e.getKey()) + ")"
                        : "")
                : got.toString();
        wrong.add(
            e.getKey() + ": expected " + described.get(e.getKey()) + ", got " + abbreviate(seen));
      }
    }
    return new ChaosRow(scenario, transport, tried, correct, lost, doubled, leaked, note, wrong);
  }

  static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "... (" + s.length() + " chars)";
  }

  // What answers look like, for the scenarios' checks.

  static Predicate<JsonNode> result(String text) {
    return a -> !Answers.isError(a) && text.equals(Answers.text(a));
  }

  /** An isError result or a JSON-RPC error whose text contains {@code fragment}. */
  static Predicate<JsonNode> error(String fragment) {
    return a -> Answers.isError(a) && Answers.text(a).contains(fragment);
  }

  static Predicate<JsonNode> rpcError(int code, String fragment) {
    return a ->
        a.path("error").path("code").asInt() == code
            && a.path("error").path("message").asText().contains(fragment);
  }
}
