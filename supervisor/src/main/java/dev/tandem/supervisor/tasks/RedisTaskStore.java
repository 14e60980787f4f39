package dev.tandem.supervisor.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.config.TasksConfig;
import dev.tandem.supervisor.log.Log;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.Jedis;

/**
 * The task store in Redis, shared by replicas: any of them answers {@code tasks/get} for a task
 * another runs. Every change that must be atomic (the bound, a runner-checked write, the claim of a
 * dead runner's tasks) is one Lua script, so two replicas never both take a task over.
 *
 * <p>Keys, under {@code tandem:tasks:}: {@code task:ID} a hash (the record's JSON, and its runner,
 * which a claim changes alone); {@code all} id to "status owner" (the bound, counts, purge); {@code
 * unfinished} the ids not ended (what a heartbeat scans); {@code owner:OWNER} the owner index;
 * {@code lease:RUNNER} a key with a Redis expiry, the runner's lease; a running task's questions in
 * {@code q:ID} (key to request), the answers kept for its runner in {@code a:ID}, the keys answered
 * and taken in {@code done:ID}, all three deleted when the task ends or changes runner. An ended
 * task's key expires at its end plus its ttl (a Redis expiry); {@link #purgeExpired} trims the
 * indexes after it. Scripts touch keys they compute, so this wants one Redis, not a Redis Cluster.
 *
 * <p>One connection, used under this object's lock: the store is called a few times per task and
 * per heartbeat, not per message. Jedis's pooled client would load commons-pool2's JMX classes,
 * which the tarball's runtime leaves out (java.management). A broken connection is replaced at the
 * next call.
 */
public final class RedisTaskStore implements TaskStore {

  static final String PREFIX = "tandem:tasks:";
  private static final String ALL = PREFIX + "all";
  private static final String UNFINISHED = PREFIX + "unfinished";

  private static final String CREATE =
      """
      if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[6]) then return 0 end
      redis.call('HSET', KEYS[2], 'json', ARGV[2], 'runner', ARGV[3])
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
      redis.call('SADD', KEYS[4], ARGV[1])
      if ARGV[5] == '1' then redis.call('PEXPIREAT', KEYS[2], ARGV[7])
      else redis.call('SADD', KEYS[3], ARGV[1]) end
      return 1
      """;

  /** Written only while the stored runner is the record's: a runner that lost a task cannot. */
  private static final String PUT =
      """
      local r = redis.call('HGET', KEYS[1], 'runner')
      if not r or r ~= ARGV[3] then return 0 end
      redis.call('HSET', KEYS[1], 'json', ARGV[2])
      redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
      if ARGV[5] == '1' then
        redis.call('SREM', KEYS[3], ARGV[1])
        redis.call('PEXPIREAT', KEYS[1], ARGV[6])
        redis.call('DEL', KEYS[4], KEYS[5], KEYS[6])
      end
      return 1
      """;

  /** Only for a task that has not ended (an ended task's key has an expiry). */
  private static final String ASK =
      """
      if redis.call('PTTL', KEYS[1]) ~= -1 then return 0 end
      redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
      redis.call('SREM', KEYS[4], ARGV[1])
      return 1
      """;

  /** Keeps each answer to an open question not answered yet; returns the others, with why. */
  private static final String ANSWER =
      """
      local refused = {}
      for i = 1, #ARGV, 2 do
        local k = ARGV[i]
        if redis.call('HEXISTS', KEYS[1], k) == 0 then
          refused[#refused + 1] = k
          if redis.call('SISMEMBER', KEYS[3], k) == 1 then refused[#refused + 1] = 'answered'
          else refused[#refused + 1] = 'unknown' end
        elseif redis.call('HSETNX', KEYS[2], k, ARGV[i + 1]) == 0 then
          refused[#refused + 1] = k
          refused[#refused + 1] = 'answered'
        end
      end
      return refused
      """;

  private static final String TAKE =
      """
      local kept = redis.call('HGETALL', KEYS[2])
      for i = 1, #kept, 2 do
        redis.call('HDEL', KEYS[1], kept[i])
        redis.call('SADD', KEYS[3], kept[i])
      end
      redis.call('DEL', KEYS[2])
      return kept
      """;

  private static final String HEARTBEAT =
      """
      redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
      local out = {}
      for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
        local key = ARGV[3] .. 'task:' .. id
        local r = redis.call('HGET', key, 'runner')
        if not r then
          redis.call('SREM', KEYS[2], id)
        elseif r ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. 'lease:' .. r) == 0 then
          redis.call('HSET', key, 'runner', ARGV[1])
          redis.call('DEL', ARGV[3] .. 'q:' .. id, ARGV[3] .. 'a:' .. id, ARGV[3] .. 'done:' .. id)
          out[#out + 1] = id
        end
      end
      return out
      """;

  private final URI uri;
  private final int maxTasks;
  private Jedis redis;

  private RedisTaskStore(URI uri, Jedis redis, int maxTasks) {
    this.uri = uri;
    this.redis = redis;
    this.maxTasks = maxTasks;
  }

  /** The connection; one that broke (Redis restarted, a network cut) is replaced. */
  private synchronized Jedis conn() {
    if (redis != null && redis.isBroken()) {
      redis.close();
      redis = null;
    }
    if (redis == null) redis = new Jedis(uri);
    return redis;
  }

  /** Connects to {@code url} ({@code redis://[:password@]host:port/db}) and checks it answers. */
  public static RedisTaskStore open(String url, int maxTasks) {
    URI uri = URI.create(url);
    Jedis client = null;
    try {
      client = new Jedis(uri); // connects
      client.ping();
    } catch (RuntimeException e) {
      if (client != null) client.close();
      throw new IllegalStateException(
          "cannot reach the Redis task store at " + redacted(url) + ": " + e.getMessage(), e);
    }
    return new RedisTaskStore(uri, client, maxTasks);
  }

  /** The URL as a log may show it: no user or password. */
  public static String redacted(String url) {
    return TasksConfig.redacted(url);
  }

  @Override
  public synchronized boolean create(TaskRecord task) {
    if (createOnce(task)) return true;
    // Full, perhaps only of index entries whose tasks Redis expired already.
    return purgeExpired(System.currentTimeMillis()) > 0 && createOnce(task);
  }

  private boolean createOnce(TaskRecord task) {
    Object created =
        conn()
            .eval(
                CREATE,
                List.of(ALL, taskKey(task.id()), UNFINISHED, ownerKey(task.owner())),
                List.of(
                    task.id(),
                    TaskRecord.encode(task),
                    runnerOf(task),
                    indexEntry(task),
                    task.terminal() ? "1" : "0",
                    Integer.toString(maxTasks),
                    Long.toString(task.updatedAt() + task.ttlMs())));
    return Long.valueOf(1).equals(created);
  }

  @Override
  public synchronized TaskRecord get(String id) {
    List<String> fields = conn().hmget(taskKey(id), "json", "runner");
    if (fields.get(0) == null) return null;
    TaskRecord t = TaskRecord.decode(fields.get(0));
    return fields.get(1) == null || fields.get(1).equals(t.runner())
        ? t
        : t.claimedBy(fields.get(1), t.updatedAt());
  }

  @Override
  public synchronized void put(TaskRecord task) {
    conn()
        .eval(
            PUT,
            List.of(
                taskKey(task.id()),
                ALL,
                UNFINISHED,
                questionsKey(task.id()),
                answersKey(task.id()),
                doneKey(task.id())),
            List.of(
                task.id(),
                TaskRecord.encode(task),
                runnerOf(task),
                indexEntry(task),
                task.terminal() ? "1" : "0",
                Long.toString(task.updatedAt() + task.ttlMs())));
  }

  @Override
  public synchronized void ask(String id, String key, ObjectNode request) {
    conn()
        .eval(
            ASK,
            List.of(taskKey(id), questionsKey(id), answersKey(id), doneKey(id)),
            List.of(key, request.toString()));
  }

  @Override
  public synchronized ObjectNode questions(String id) {
    Map<String, String> asked = conn().hgetAll(questionsKey(id));
    ObjectNode out = Json.object();
    if (asked.isEmpty()) return out;
    var answered = new java.util.HashSet<>(conn().hkeys(answersKey(id)));
    for (Map.Entry<String, String> e : new TreeMap<>(asked).entrySet()) {
      if (!answered.contains(e.getKey())) out.set(e.getKey(), parse(e.getValue()));
    }
    return out;
  }

  @Override
  public synchronized Map<String, String> answer(String id, ObjectNode responses) {
    List<String> args = new ArrayList<>();
    responses
        .fields()
        .forEachRemaining(
            e -> {
              args.add(e.getKey());
              args.add(e.getValue().toString());
            });
    Map<String, String> refused = new java.util.LinkedHashMap<>();
    if (args.isEmpty()) return refused;
    Object out = conn().eval(ANSWER, List.of(questionsKey(id), answersKey(id), doneKey(id)), args);
    List<?> pairs = (List<?>) out;
    for (int i = 0; i + 1 < pairs.size(); i += 2) {
      refused.put(
          (String) pairs.get(i), "answered".equals(pairs.get(i + 1)) ? ANSWERED : NOT_ASKED);
    }
    return refused;
  }

  @Override
  public synchronized ObjectNode takeAnswers(String id) {
    Object out =
        conn().eval(TAKE, List.of(questionsKey(id), answersKey(id), doneKey(id)), List.of());
    List<?> pairs = (List<?>) out;
    ObjectNode answers = Json.object();
    for (int i = 0; i + 1 < pairs.size(); i += 2) {
      answers.set((String) pairs.get(i), parse((String) pairs.get(i + 1)));
    }
    return answers;
  }

  private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a task question or answer in Redis is not JSON: " + e, e);
    }
  }

  @Override
  public synchronized List<TaskRecord> listByOwner(String owner) {
    List<TaskRecord> out = new ArrayList<>();
    for (String id : conn().smembers(ownerKey(owner))) {
      TaskRecord t = get(id);
      if (t == null) {
        conn().srem(ownerKey(owner), id);
      } else {
        out.add(t);
      }
    }
    return out;
  }

  @Override
  public synchronized List<TaskRecord> recent(int limit) {
    List<TaskRecord> all = new ArrayList<>();
    for (String id : conn().hkeys(ALL)) {
      TaskRecord t = get(id);
      if (t != null) all.add(t);
    }
    return TaskRecord.newestFirst(all, limit);
  }

  @Override
  public synchronized List<TaskRecord> heartbeat(String runner, long now, long leaseMs) {
    Object ids =
        conn()
            .eval(
                HEARTBEAT,
                List.of(PREFIX + "lease:" + runner, UNFINISHED),
                List.of(runner, Long.toString(Math.max(1, leaseMs)), PREFIX));
    List<TaskRecord> out = new ArrayList<>();
    for (Object id : (List<?>) ids) {
      TaskRecord t = get((String) id);
      if (t != null) out.add(t.claimedBy(runner, now));
    }
    return out;
  }

  @Override
  public synchronized int purgeExpired(long now) {
    int purged = 0;
    for (Map.Entry<String, String> e : conn().hgetAll(ALL).entrySet()) {
      String id = e.getKey();
      TaskRecord t = get(id);
      if (t != null && !t.expired(now)) continue;
      if (t != null) conn().del(taskKey(id));
      conn().del(questionsKey(id), answersKey(id), doneKey(id));
      String entry = e.getValue();
      String owner = entry.substring(entry.indexOf(' ') + 1);
      conn().hdel(ALL, id);
      conn().srem(UNFINISHED, id);
      conn().srem(ownerKey(owner), id);
      purged++;
    }
    return purged;
  }

  @Override
  public synchronized Map<String, Integer> countByStatus() {
    Map<String, Integer> counts = new TreeMap<>();
    for (String entry : conn().hvals(ALL)) {
      counts.merge(entry.substring(0, entry.indexOf(' ')), 1, Integer::sum);
    }
    return counts;
  }

  @Override
  public synchronized void close() {
    try {
      if (redis != null) redis.close();
    } catch (RuntimeException e) {
      Log.warn("closing the Redis task store failed: " + e.getMessage());
    }
  }

  private static String taskKey(String id) {
    return PREFIX + "task:" + id;
  }

  private static String questionsKey(String id) {
    return PREFIX + "q:" + id;
  }

  private static String answersKey(String id) {
    return PREFIX + "a:" + id;
  }

  private static String doneKey(String id) {
    return PREFIX + "done:" + id;
  }

  private static String ownerKey(String owner) {
    return PREFIX + "owner:" + owner;
  }

  private static String runnerOf(TaskRecord task) {
    return task.runner() == null ? "" : task.runner();
  }

  private static String indexEntry(TaskRecord task) {
    return task.status() + " " + task.owner();
  }
}
