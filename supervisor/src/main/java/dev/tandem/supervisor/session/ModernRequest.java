package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.ModernEra;
import dev.tandem.protocol.RawJson;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.router.CallFailed;
import dev.tandem.supervisor.router.HostLink;
import dev.tandem.supervisor.router.Router;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** One 2026-07-28 host request being answered: where its answer, progress and logs go. */
final class ModernRequest {
  private static final ObjectNode COMPLETE_SCALARS = Json.object().put("resultType", "complete");

  final Message.Request request;
  final Outbound out;
  private final Supplier<String> principalOf;
  private String principal;
  private final JsonNode capabilities;
  private final String logLevel;
  private final Session.Identity identity;
  private final byte[] completeMembers;

  /**
   * {@code completeMembers}: {@link #completeMembers} of {@code identity}, made once per server.
   */
  ModernRequest(
      Message.Request request,
      Outbound out,
      Supplier<String> principal,
      Session.Identity identity,
      byte[] completeMembers) {
    this.request = request;
    this.identity = identity;
    this.completeMembers = completeMembers;
    this.out = out;
    this.principalOf = principal;
    JsonNode meta = request.params().path("_meta");
    this.capabilities = meta.path(ModernEra.CLIENT_CAPABILITIES);
    this.logLevel = meta.path(ModernEra.LOG_LEVEL).asText(null);
  }

  /** Who may resume what this request suspends; asked at most once. */
  synchronized String principal() {
    if (principal == null) principal = principalOf.get();
    return principal;
  }

  void complete(ObjectNode result, boolean cacheable) {
    result.put("resultType", "complete");
    if (cacheable) {
      result.put("ttlMs", StatelessServer.LIST_TTL_MS);
      // Nothing tandem lists depends on who asks: any cache may share it.
      result.put("cacheScope", "public");
    }
    send(result);
  }

  void send(ObjectNode result) {
    // A fresh _meta beside the result's own members: that object may be the worker's.
    ObjectNode meta = Json.object();
    if (result.get("_meta") instanceof ObjectNode m) meta.setAll(m);
    result.set("_meta", meta);
    putServerInfo(meta, identity);
    out.send(new Message.Result(request.id(), result), request.id());
  }

  /**
   * The members a complete result gets when it has none of its own {@code _meta}, as JSON text:
   * {@code resultType} and the server's identity, what {@link #complete} adds to a tree.
   */
  static byte[] completeMembers(Session.Identity identity) {
    ObjectNode members = Json.object().put("resultType", "complete");
    putServerInfo(members.putObject("_meta"), identity);
    String text = members.toString();
    return text.substring(1, text.length() - 1).getBytes(StandardCharsets.UTF_8);
  }

  /** Who answered, as every result of this era says it in its {@code _meta}. */
  private static void putServerInfo(ObjectNode meta, Session.Identity identity) {
    meta.putObject(ModernEra.SERVER_INFO)
        .put("name", identity.name())
        .put("version", identity.version());
  }

  void settle(JsonNode result, Throwable failure, boolean cacheable) {
    if (failure == null
        && !cacheable
        && result instanceof RawJson raw
        && !raw.hasMember("_meta")
        && !raw.hasMember("resultType")) {
      // A tool's result as the worker's bytes (nearly every call): the envelope's members are
      // written in front of them, not parsed into a tree and written out again as a session's
      // answer is not either.
      out.send(
          new Message.Result(request.id(), raw.withMembersFirst(completeMembers, COMPLETE_SCALARS)),
          request.id());
      return;
    }
    if (failure == null) {
      // The worker's result is not ours to change (a trace may still be writing it): the
      // envelope is a new object over the same members, which send() leaves untouched.
      // A tool's result may be the worker's bytes (RawJson): parsed here, since this era adds
      // members to it.
      ObjectNode copy = Json.object();
      if (result instanceof RawJson raw) copy.setAll(raw.tree());
      else if (result instanceof ObjectNode o) copy.setAll(o);
      if (cacheable) {
        // A resource may hold what only this caller should see: private, and not kept long.
        copy.put("resultType", "complete").put("ttlMs", 0).put("cacheScope", "private");
        send(copy);
      } else {
        complete(copy, false);
      }
      return;
    }
    if (Failures.cause(failure) instanceof CancellationException) return;
    RpcError error = CallFailed.errorOf(failure);
    if (error.code() == Router.RESOURCE_NOT_FOUND) {
      // 2026-07-28 moved "resource not found" to Invalid Params (changelog, minor change 6).
      error = new RpcError(RpcError.INVALID_PARAMS, error.message(), error.data());
    }
    fail(error);
  }

  /** Answers this request with an error. */
  void fail(RpcError error) {
    out.send(new Message.Failure(request.id(), error), request.id());
  }

  /** What the worker says about the call goes to whichever host request is current. */
  HostLink link(SuspendedCall call) {
    return new HostLink() {
      @Override
      public void progress(ObjectNode params) {
        ModernRequest current = call == null ? ModernRequest.this : call.host();
        if (current != null)
          current.out.send(
              new Message.Notification("notifications/progress", params), current.request.id());
      }

      @Override
      public void log(ObjectNode params) {
        ModernRequest current = call == null ? ModernRequest.this : call.host();
        // 2026-07-28: no notifications/message unless the request asked with a level.
        if (current != null
            && current.logLevel != null
            && LogLevel.passes(params.path("level").asText("info"), current.logLevel)) {
          current.out.send(
              new Message.Notification("notifications/message", params), current.request.id());
        }
      }

      @Override
      public CompletableFuture<JsonNode> request(String method, ObjectNode params) {
        String needed = HostCapabilities.requiredFor(method);
        if (call == null) {
          return CompletableFuture.failedFuture(
              new CallFailed(
                  RpcError.methodNotFound(
                      method
                          + " is not available while answering "
                          + request.method()
                          + " in "
                          + ModernEra.VERSION)));
        }
        ModernRequest current = call.host();
        JsonNode caps = current == null ? capabilities : current.capabilities;
        if (needed == null) {
          return CompletableFuture.failedFuture(new CallFailed(RpcError.methodNotFound(method)));
        }
        if (!caps.has(needed)) {
          // The call cannot go on without it: the request fails with the revision's error
          // (MRTR: never send an inputRequest the client did not declare) and the call stops.
          ObjectNode data = Json.object();
          data.putObject("requiredCapabilities").putObject(needed);
          CallFailed missing =
              new CallFailed(
                  new RpcError(
                      ModernEra.MISSING_REQUIRED_CLIENT_CAPABILITY,
                      request.method()
                          + " needs the client capability '"
                          + needed
                          + "' (for "
                          + method
                          + "), which this request did not declare",
                      data));
          call.abort(missing, "tandem: the client lacks the '" + needed + "' capability");
          return CompletableFuture.failedFuture(missing);
        }
        ObjectNode forHost = params.deepCopy();
        String key = HostCapabilities.takeInputKey(forHost);
        return call.ask(method, forHost, key);
      }
    };
  }
}
