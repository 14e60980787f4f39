package dev.tandem.supervisor.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Running tasks' questions and their answers in memory, for the store of one process ({@link
 * MvTaskStore}): its tasks run in this process, whose death ends their questions anyway (a re-run
 * asks again), so they need no disk. Not thread-safe: the store calls it under its own lock.
 */
final class QuestionBook {

  private record Book(
      Map<String, ObjectNode> open, Map<String, JsonNode> answers, Set<String> done) {}

  private final Map<String, Book> books = new HashMap<>();

  private Book book(String id) {
    return books.computeIfAbsent(
        id, k -> new Book(new LinkedHashMap<>(), new LinkedHashMap<>(), new HashSet<>()));
  }

  void ask(String id, String key, ObjectNode request) {
    Book b = book(id);
    b.open.put(key, request.deepCopy());
    b.done.remove(key);
  }

  ObjectNode questions(String id) {
    ObjectNode out = Json.object();
    Book b = books.get(id);
    if (b != null) {
      b.open.forEach(
          (key, request) -> {
            if (!b.answers.containsKey(key)) out.set(key, request);
          });
    }
    return out;
  }

  Map<String, String> answer(String id, ObjectNode responses) {
    Map<String, String> refused = new LinkedHashMap<>();
    Book b = books.get(id);
    responses
        .fields()
        .forEachRemaining(
            e -> {
              String key = e.getKey();
              if (b == null || !b.open.containsKey(key)) {
                refused.put(
                    key,
                    b != null && b.done.contains(key) ? TaskStore.ANSWERED : TaskStore.NOT_ASKED);
              } else if (b.answers.containsKey(key)) {
                refused.put(key, TaskStore.ANSWERED);
              } else {
                b.answers.put(key, e.getValue());
              }
            });
    return refused;
  }

  ObjectNode takeAnswers(String id) {
    ObjectNode out = Json.object();
    Book b = books.get(id);
    if (b == null) return out;
    b.answers.forEach(
        (key, answer) -> {
          out.set(key, answer);
          b.open.remove(key);
          b.done.add(key);
        });
    b.answers.clear();
    return out;
  }

  /** The task ended or changed runner: its questions are gone (a re-run asks again). */
  void forget(String id) {
    books.remove(id);
  }
}
