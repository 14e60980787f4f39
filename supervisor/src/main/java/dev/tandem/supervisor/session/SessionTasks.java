package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.router.CallFailed;
import dev.tandem.supervisor.router.HostLink;
import dev.tandem.supervisor.tasks.LegacyTasks;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One session's side of the 2025-11-25 tasks utility: {@code tools/call} as a task, the {@code
 * tasks/*} answers, and {@code notifications/tasks/status} to the host.
 */
final class SessionTasks {

  private final LegacyTasks tasks;
  private final Outbound out;

  /**
   * Whose tasks this session sees: its own, by an id no other session has. Made on first use: a
   * random UUID seeds the SecureRandom, which a session that never uses tasks (and the first
   * initialize) must not wait for.
   */
  private String owner;

  private synchronized String owner() {
    if (owner == null) owner = "session:" + UUID.randomUUID();
    return owner;
  }

  SessionTasks(LegacyTasks tasks, Outbound out) {
    this.tasks = tasks;
    this.out = out;
  }

  /** Runs {@code tools/call} as a task when it asks for one or its tool runs only as one. */
  void callTool(Message.Request request, ObjectNode forTool, HostLink link, Runnable plain) {
    // A call that does not ask for a task, made before the pools serve, goes on at once:
    // waiting for the catalog to learn whether its tool runs only as a task would let a stop
    // that begins meanwhile refuse a call that came before it. Such a call runs plain.
    if (!LegacyTasks.asksForTask(request.params()) && !tasks.catalogKnown()) {
      plain.run();
      return;
    }
    tasks
        .callAsTask(forTool, owner(), link, this::taskStatus)
        .whenComplete(
            (created, failure) -> {
              if (created != null) reply(request, created);
              else if (failure != null && Failures.cause(failure) instanceof CallFailed f)
                fail(request, f.error());
              else plain.run();
            });
  }

  /** {@code tasks/get}, {@code tasks/list} or {@code tasks/cancel}. */
  void answer(Message.Request request) {
    answerTask(request, () -> tasks.handle(request.method(), request.params(), owner()));
  }

  /** What {@code tasks/result} answers, once the task has ended. */
  CompletableFuture<JsonNode> result(ObjectNode params) {
    return tasks.result(params, owner());
  }

  /** Answers with what {@code answer} returns, or its CallFailed; false when it returns null. */
  private boolean answerTask(Message.Request request, Supplier<ObjectNode> answer) {
    ObjectNode result;
    try {
      result = answer.get();
    } catch (CallFailed e) {
      fail(request, e.error());
      return true;
    }
    if (result == null) return false;
    reply(request, result);
    return true;
  }

  private void taskStatus(ObjectNode task) {
    out.send(new Message.Notification("notifications/tasks/status", task), null);
  }

  private void reply(Message.Request request, JsonNode result) {
    out.send(new Message.Result(request.id(), result), request.id());
  }

  private void fail(Message.Request request, RpcError error) {
    out.send(new Message.Failure(request.id(), error), request.id());
  }
}
