"""A small MCP client over Streamable HTTP, for notebooks talking to the daemon.

    import tandem.client

    daemon = tandem.client.connect()            # the running daemon, found by its runtime file
    daemon.tools()                              # what it serves
    daemon.call("summarize", text="...")        # a tool's structured result or text
    daemon.reload()                             # restart the workers onto edited code
    job = daemon.start_task("crawl", url="...")  # a long call as a task: poll it, fetch it later

The wire is MCP's Streamable HTTP transport: each JSON-RPC message is POSTed
to one URL with `Accept: application/json, text/event-stream`; a request is
answered with a JSON body or an SSE stream that may carry progress and log
notifications before the response; notifications get 202. The session id
from initialize goes back in `Mcp-Session-Id`, the negotiated version in
`MCP-Protocol-Version`; a 404 means the session ended, and the client starts
a new one. `tandem/reload` is tandem's extension method for reloading workers.

Every request carries `Authorization: Bearer <token>` when there is a token:
the one passed in, else $TANDEM_HTTP_TOKEN, else the one the daemon wrote to
its runtime file (a daemon serving HTTP generates one on first start, unless
its config says `[http] token = ""`), so local use needs no setup.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable

from . import sse
from .version import __version__

PROTOCOL_VERSION = "2025-11-25"
_ACCEPT = "application/json, text/event-stream"

__all__ = ["Client", "McpError", "ToolError", "TransportError", "connect", "runtime_files"]


class McpError(Exception):
    """The server answered a request with a JSON-RPC error."""

    def __init__(self, method: str, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{method} failed ({code}): {message}")
        self.code = code
        self.data = data


class ToolError(Exception):
    """The tool ran and failed (isError); the message is what it said."""

    def __init__(self, tool: str, message: str, result: dict[str, Any]) -> None:
        super().__init__(f"tool '{tool}' failed: {message}")
        self.result = result


class TransportError(Exception):
    """The HTTP exchange itself failed: no daemon, or an HTTP error status."""


def runtime_files() -> list[Path]:
    """Where a running daemon writes {"url": ...}, in the order they are tried."""
    files = []
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        files.append(Path(runtime) / "tandem" / "daemon.json")
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    files.append(Path(cache) / "tandem" / "daemon.json")
    return files


def connect(url: str | None = None, *, token: str | None = None, timeout: float = 60.0) -> Client:
    """A Client with its session open: to `url`, else $TANDEM_URL, else the
    URL the running daemon wrote to its runtime file. `token`: the bearer
    token, else $TANDEM_HTTP_TOKEN, else the one in the runtime file when it
    names the same URL."""
    url = url or os.environ.get("TANDEM_URL") or None
    from_file = url is None
    found = _runtime_file(required=from_file)
    if url is None:
        url = found[0]["url"]
    if token is None:
        token = os.environ.get("TANDEM_HTTP_TOKEN") or None
    if token is None and found is not None and found[0].get("url") == url:
        token = found[0].get("token") if isinstance(found[0].get("token"), str) else None
    client = Client(url, token=token, timeout=timeout)
    try:
        client.initialize()
    except TransportError as e:
        if not from_file or _process_alive(found[0].get("pid")):
            raise
        # As `tandem status` says it: the file outlived its daemon (a SIGKILL, a crash).
        raise TransportError(
            f"the runtime file {found[1]} is stale: it names pid {found[0].get('pid')}, which is not running, "
            f"and nothing answers at {url}; start the daemon with `bin/tandem serve --http`, "
            "or remove the file"
        ) from e
    return client


def _process_alive(pid: object) -> bool:
    """True unless `pid` names no running process (a pid we may not signal is alive)."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return True  # no pid to judge by: keep the transport's own error
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _runtime_file(*, required: bool) -> tuple[dict[str, Any], Path] | None:
    """The first runtime file's contents and path; None when there is none and none is required."""
    for path in runtime_files():
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            continue
        except (OSError, ValueError) as e:
            if not required:
                return None
            raise TransportError(f"cannot read the daemon's runtime file {path}: {e}") from e
        url = data.get("url") if isinstance(data, dict) else None
        if not isinstance(url, str):
            if not required:
                return None
            raise TransportError(f'{path} has no "url" string: {data!r}')
        return data, path
    if not required:
        return None
    looked = ", ".join(str(p) for p in runtime_files())
    raise TransportError(
        f"no running tandem daemon found (looked for {looked}); start one with "
        "`bin/tandem serve --http 127.0.0.1:PORT`, or pass its URL: connect('http://…/mcp')"
    )


def _print_progress(params: dict[str, Any]) -> None:
    total = params.get("total")
    progress = params.get("progress")
    shown = f"{progress}/{total}" if total is not None else f"{progress}"
    message = params.get("message")
    print(f"progress {shown}" + (f": {message}" if message else ""))


def _print_log(params: dict[str, Any]) -> None:
    print(f"[{params.get('level')}] {params.get('data')}")


class Client:
    """One MCP session with a Streamable HTTP server; safe to share between threads."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        timeout: float = 60.0,
        on_progress: Callable[[dict[str, Any]], None] | None = _print_progress,
        on_log: Callable[[dict[str, Any]], None] | None = _print_log,
    ) -> None:
        self.url = url
        self._token = token
        self.timeout = timeout
        self.on_progress = on_progress
        self.on_log = on_log
        self.session_id: str | None = None
        self.protocol_version: str | None = None
        self.server_info: dict[str, Any] = {}
        self.capabilities: dict[str, Any] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._output_kinds: dict[str, bool] = {}

    # -- the session --------------------------------------------------------

    def initialize(self) -> dict[str, Any]:
        """The MCP handshake: initialize, then notifications/initialized."""
        self.session_id = None
        self.protocol_version = None
        result = self._request(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "tandem-client", "version": __version__},
            },
            retry_session=False,
        )
        self.protocol_version = result.get("protocolVersion", PROTOCOL_VERSION)
        self.server_info = result.get("serverInfo") or {}
        self.capabilities = result.get("capabilities") or {}
        self.notify("notifications/initialized")
        return result

    def close(self) -> None:
        """End the session (HTTP DELETE); a server that does not allow it is fine."""
        if self.session_id is None:
            return
        request = urllib.request.Request(self.url, method="DELETE", headers=self._headers())
        try:
            urllib.request.urlopen(request, timeout=self.timeout).close()
        except urllib.error.HTTPError as e:
            if e.code not in (404, 405):
                raise TransportError(f"DELETE {self.url}: HTTP {e.code}") from e
        except (urllib.error.URLError, OSError):
            pass  # the daemon is gone: the session is over either way
        finally:
            self.session_id = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what a notebook calls ----------------------------------------------

    def tools(self) -> list[dict[str, Any]]:
        """Every tool the server lists (all pages)."""
        tools: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.request("tools/list", {"cursor": cursor} if cursor else {})
            tools.extend(page.get("tools") or [])
            cursor = page.get("nextCursor")
            if not cursor:
                break
        self._output_kinds = {t["name"]: _wraps_result(t.get("outputSchema")) for t in tools}
        return tools

    def call(self, tool: str, /, **arguments: Any) -> Any:
        """The tool's answer: its structured content, else its text; ToolError if it failed."""
        return self._answer(tool, self.call_result(tool, arguments))

    def start_task(self, tool: str, /, **arguments: Any) -> str:
        """Start the tool as a task and return its id at once; the daemon keeps the result."""
        params = {"name": tool, "arguments": arguments, "task": {}}
        return self.request("tools/call", params)["task"]["taskId"]

    def task(self, task_id: str) -> dict[str, Any]:
        """The task now: `status` (working, input_required, completed, failed, cancelled)."""
        return self.request("tasks/get", {"taskId": task_id})

    def task_result(self, task_id: str, tool: str = "") -> Any:
        """Waits for the task to end, then its answer as `call` gives it."""
        return self._answer(tool, self.request("tasks/result", {"taskId": task_id}))

    def cancel_task(self, task_id: str) -> dict[str, Any]:
        return self.request("tasks/cancel", {"taskId": task_id})

    def _answer(self, tool: str, result: dict[str, Any]) -> Any:
        if result.get("isError"):
            raise ToolError(tool, _text(result), result)
        if "structuredContent" in result:
            data = result["structuredContent"]
            if tool and tool not in self._output_kinds:
                self.tools()
            # Non-object results travel as {"result": value} (outputSchema says so).
            if self._output_kinds.get(tool) and isinstance(data, dict) and "result" in data:
                return data["result"]
            return data
        return _text(result)

    def call_result(self, tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """The raw CallToolResult; progress is reported while the tool runs."""
        token = f"tandem-client-{next(self._ids)}"
        params = {"name": tool, "arguments": arguments or {}, "_meta": {"progressToken": token}}
        return self.request("tools/call", params)

    def reload(self) -> Any:
        """Ask the daemon to restart its workers onto the current code (`tandem/reload`)."""
        self._output_kinds.clear()
        return self.request("tandem/reload", {})

    # -- JSON-RPC over HTTP -------------------------------------------------

    def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """Send a request and return its result; McpError for an error answer."""
        return self._request(method, params, retry_session=True)

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        with self._post(message) as response:
            response.read()

    def _request(self, method: str, params: dict[str, Any] | None, retry_session: bool) -> Any:
        request_id = next(self._ids)
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        try:
            answer = self._exchange(message)
        except _SessionGone:
            if not retry_session:
                raise TransportError(f"{method}: the server ended the session") from None
            # The spec's recovery: a 404 ends the session; start a new one and retry.
            self.initialize()
            answer = self._exchange(message)
        if "error" in answer:
            error = answer["error"]
            code, text = error.get("code", 0), error.get("message", "")
            raise McpError(method, code, text, error.get("data"))
        return answer.get("result")

    def _exchange(self, message: dict[str, Any]) -> dict[str, Any]:
        with self._post(message) as response:
            kind = response.headers.get_content_type()
            if kind == "application/json":
                answer = json.loads(response.read())
                if isinstance(answer, list):  # a batch answer to one request
                    answer = next(a for a in answer if a.get("id") == message["id"])
                return answer
            if kind == "text/event-stream":
                return self._read_stream(response, message["id"])
            raise TransportError(f"POST {self.url}: unexpected Content-Type {kind!r}")

    def _read_stream(self, response: Any, request_id: int) -> dict[str, Any]:
        for event in sse.events(response):
            if not event.data.strip():
                continue  # an event that only primes a resumption id
            incoming = json.loads(event.data)
            if "method" in incoming and "id" in incoming:
                self._refuse(incoming)
            elif "method" in incoming:
                self._dispatch(incoming)
            elif incoming.get("id") == request_id:
                return incoming
        raise TransportError(f"POST {self.url}: the event stream ended before the response")

    def _dispatch(self, note: dict[str, Any]) -> None:
        params = note.get("params") or {}
        if note["method"] == "notifications/progress" and self.on_progress:
            self.on_progress(params)
        elif note["method"] == "notifications/message" and self.on_log:
            self.on_log(params)

    def _refuse(self, request: dict[str, Any]) -> None:
        """This client declares no capabilities, so it answers server requests with an error."""
        error = {"code": -32601, "message": f"tandem.client does not handle {request['method']}"}
        with self._post({"jsonrpc": "2.0", "id": request["id"], "error": error}) as response:
            response.read()

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": _ACCEPT, "Content-Type": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        if self.protocol_version:
            headers["MCP-Protocol-Version"] = self.protocol_version
        return headers

    def _post(self, message: dict[str, Any]) -> Any:
        data = json.dumps(message).encode("utf-8")
        headers = self._headers()
        request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")[:500]
            e.close()
            if e.code == 404 and self.session_id is not None:
                raise _SessionGone() from None
            raise TransportError(f"POST {self.url} ({message.get('method', 'response')}): "
                                 f"HTTP {e.code}: {body or e.reason}") from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            where = f"cannot reach the tandem daemon at {self.url}"
            raise TransportError(f"{where}: {reason}") from None
        session = response.headers.get("Mcp-Session-Id")
        if session and message.get("method") == "initialize":
            with self._lock:
                self.session_id = session
        return response


class _SessionGone(Exception):
    pass


def _wraps_result(schema: Any) -> bool:
    properties = isinstance(schema, dict) and list(schema.get("properties") or {})
    return properties == ["result"] and schema.get("required") == ["result"]


def _text(result: dict[str, Any]) -> str:
    return "\n".join(
        c.get("text", "") for c in result.get("content") or [] if c.get("type") == "text"
    )
