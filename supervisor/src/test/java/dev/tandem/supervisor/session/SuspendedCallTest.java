package dev.tandem.supervisor.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.router.RoutedCall;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The 2026-07-28 multi-round-trip exchange of one call, driven in-process against a fake routed
 * call.
 */
class SuspendedCallTest {

  /** The worker side of the call: its answer is completed by the test; cancels are recorded. */
  static final class FakeCall implements RoutedCall {
    final CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    final List<String> cancels = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<JsonNode> answer() {
      return answer;
    }

    @Override
    public void cancel(String reason) {
      cancels.add(reason);
    }
  }

  private static ObjectNode params(String text) {
    return Json.object().put("message", text);
  }

  private static ObjectNode responses(String... keysAndNames) {
    ObjectNode out = Json.object();
    for (int i = 0; i < keysAndNames.length; i += 2)
      out.putObject(keysAndNames[i]).put("name", keysAndNames[i + 1]);
    return out;
  }

  private static SuspendedCall.Turn await(CompletableFuture<SuspendedCall.Turn> turn)
      throws Exception {
    return turn.get(10, TimeUnit.SECONDS);
  }

  @Test
  void questionsAskedTogetherLeaveInOneTurnAndTheirAnswersResumeTheWorker() throws Exception {
    SuspendedCall call = new SuspendedCall("h");
    FakeCall worker = new FakeCall();
    call.attach(worker);
    CompletableFuture<JsonNode> first =
        call.ask("elicitation/create", params("name?"), "user_name");
    CompletableFuture<JsonNode> second = call.ask("elicitation/create", params("city?"), null);

    var needs = assertInstanceOf(SuspendedCall.Turn.NeedsInput.class, await(call.firstTurn()));
    assertEquals(List.of("user_name", "input-1"), fieldNames(needs.inputRequests()));
    assertEquals("elicitation/create", needs.inputRequests().at("/user_name/method").asText());
    assertEquals("name?", needs.inputRequests().at("/user_name/params/message").asText());

    CompletableFuture<SuspendedCall.Turn> next =
        call.resume(responses("user_name", "Ada", "input-1", "Paris"));
    assertEquals("Ada", first.get(10, TimeUnit.SECONDS).get("name").asText());
    assertEquals("Paris", second.get(10, TimeUnit.SECONDS).get("name").asText());
    assertEquals(1, call.round());
    assertFalse(next.isDone(), "the turn waits for the worker's answer");

    JsonNode result = Json.object().put("ok", true);
    worker.answer.complete(result);
    var done = assertInstanceOf(SuspendedCall.Turn.Done.class, await(next));
    assertSame(result, done.result());
    assertNull(done.failure());
  }

  @Test
  void aQuestionLeftUnansweredIsAskedAgainOnTheRetry() throws Exception {
    SuspendedCall call = new SuspendedCall("h");
    call.attach(new FakeCall());
    CompletableFuture<JsonNode> a = call.ask("elicitation/create", params("a?"), "a");
    CompletableFuture<JsonNode> b = call.ask("elicitation/create", params("b?"), "b");
    await(call.firstTurn());

    var again =
        assertInstanceOf(
            SuspendedCall.Turn.NeedsInput.class, await(call.resume(responses("a", "yes"))));
    assertEquals(List.of("b"), fieldNames(again.inputRequests()));
    assertTrue(a.isDone());
    assertFalse(b.isDone());
  }

  @Test
  void anAnswerSentBeforeTheQuestionAnswersItAtOnce() throws Exception {
    SuspendedCall call = new SuspendedCall("h");
    call.prefill(responses("user_name", "Ada").put("not-an-object", 3));
    CompletableFuture<JsonNode> given =
        call.ask("elicitation/create", params("name?"), "user_name");
    assertEquals("Ada", given.getNow(null).get("name").asText());
    assertFalse(call.firstTurn().isDone(), "nothing to ask the host");
    CompletableFuture<JsonNode> asked =
        call.ask("elicitation/create", params("x?"), "not-an-object");
    assertFalse(asked.isDone(), "a prefilled value that is not an object is no answer");
  }

  @Test
  void aToolsOwnKeyIsKeptUnlessItIsTaken() throws Exception {
    SuspendedCall call = new SuspendedCall("h");
    call.attach(new FakeCall());
    call.ask("elicitation/create", params("1"), "k");
    call.ask("elicitation/create", params("2"), "k");
    call.ask("elicitation/create", params("3"), "");
    var needs = assertInstanceOf(SuspendedCall.Turn.NeedsInput.class, await(call.firstTurn()));
    assertEquals(List.of("k", "input-1", "input-2"), fieldNames(needs.inputRequests()));
  }

  @Test
  void anAbortEndsTheTurnStopsTheWorkerAndOutranksALateAnswer() throws Exception {
    SuspendedCall call = new SuspendedCall("h");
    FakeCall worker = new FakeCall();
    call.attach(worker);
    RuntimeException why = new RuntimeException("this host cannot answer elicitation");
    call.abort(why, "no elicitation");
    var done = assertInstanceOf(SuspendedCall.Turn.Done.class, await(call.firstTurn()));
    assertSame(why, done.failure());
    assertEquals(List.of("no elicitation"), worker.cancels);

    worker.answer.complete(Json.object());
    var after = assertInstanceOf(SuspendedCall.Turn.Done.class, await(call.resume(null)));
    assertSame(why, after.failure(), "the abort stands");
  }

  @Test
  void aCallThatStartsAfterItsRequestWasAnsweredIsCancelled() throws Exception {
    SuspendedCall call = new SuspendedCall("h");
    call.abort(new RuntimeException("gone"), "gone");
    FakeCall late = new FakeCall();
    call.attach(late);
    assertEquals(1, late.cancels.size(), late.cancels.toString());
    assertTrue(
        late.cancels.getFirst().contains("answered before its call started"),
        late.cancels.toString());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void everyAnswerGivenIsKeptForTheNextStateAndAReplayAsksNothingAlreadyAnswered()
      throws Exception {
    // The first replica: two rounds, one named question and one numbered.
    SuspendedCall call = new SuspendedCall("h");
    call.attach(new FakeCall());
    call.ask("elicitation/create", params("name?"), "user_name");
    await(call.firstTurn());
    CompletableFuture<SuspendedCall.Turn> second = call.resume(responses("user_name", "Ada"));
    call.ask("elicitation/create", params("city?"), null);
    var needs = assertInstanceOf(SuspendedCall.Turn.NeedsInput.class, await(second));
    assertEquals(List.of("input-1"), fieldNames(needs.inputRequests()));
    ObjectNode carried = call.answered();
    assertEquals(List.of("user_name"), fieldNames(carried));

    // Another replica replays it from the start with what the token carried and the retry's
    // answer: both questions are answered at once, and nothing is asked.
    SuspendedCall replay = new SuspendedCall("h2");
    replay.attach(new FakeCall());
    replay.prefill(carried);
    replay.prefill(responses("input-1", "Paris"));
    assertEquals(
        "Ada",
        replay
            .ask("elicitation/create", params("name?"), "user_name")
            .get(10, TimeUnit.SECONDS)
            .get("name")
            .asText());
    assertEquals(
        "Paris",
        replay
            .ask("elicitation/create", params("city?"), null)
            .get(10, TimeUnit.SECONDS)
            .get("name")
            .asText());
    assertFalse(replay.firstTurn().isDone(), "no question left for the host");
    assertEquals(List.of("user_name", "input-1"), fieldNames(replay.answered()));
  }
}
