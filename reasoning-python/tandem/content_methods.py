"""prompts/*, resources/* and completion/complete over the registry's entries."""

from __future__ import annotations

import logging
from typing import Any

from .arguments import InvalidArgument
from .method_params import named_entry, uri_param
from .session import InFlightCall
from .wire import INTERNAL_ERROR, INVALID_PARAMS, RESOURCE_NOT_FOUND, RpcError

_log = logging.getLogger("tandem.worker")


class PromptsAndResources:
    """The prompts, resources and completion part of `handlers.Methods`."""

    # -- prompts ------------------------------------------------------------

    async def list_prompts(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        return {"prompts": [p.definition() for p in self.registry.prompts.all()]}

    async def get_prompt(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        name, prompt, arguments = named_entry(self.registry.prompts, params, "prompts/get")
        try:
            args, kwargs = prompt.signature.bind(arguments, self._context(call, name, params))
        except InvalidArgument as e:
            raise RpcError(INVALID_PARAMS, f"Invalid arguments for prompt '{name}': {e}") from e
        value = await self._invoke_or_internal(prompt.fn, args, kwargs, f"prompt '{name}'")
        # Here, not at the top: a worker that serves no prompts never loads them.
        from .prompts import prompt_messages

        try:
            messages = prompt_messages(value)
        except TypeError as e:
            raise RpcError(INTERNAL_ERROR, f"prompt '{name}' returned {e}") from e
        result: dict[str, Any] = {"messages": messages}
        if prompt.description:
            result["description"] = prompt.description
        return result

    # -- resources ----------------------------------------------------------

    async def list_resources(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        entries = self.registry.resources.all()
        return {"resources": [r.definition() for r in entries if not r.is_template]}

    async def list_resource_templates(
        self, params: dict[str, Any], call: InFlightCall
    ) -> dict[str, Any]:
        entries = self.registry.resources.all()
        return {"resourceTemplates": [r.definition() for r in entries if r.is_template]}

    async def read_resource(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        uri = params.get("uri")
        if not isinstance(uri, str):
            raise RpcError(INVALID_PARAMS, 'resources/read needs "uri" (a string)')
        # Exact URIs win over templates that happen to match them too.
        entries = sorted(self.registry.resources.all(), key=lambda r: r.is_template)
        for entry in entries:
            variables = entry.match(uri)
            if variables is None:
                continue
            try:
                args, kwargs = entry.signature.bind(variables, self._context(call, uri, params))
            except InvalidArgument as e:
                raise RpcError(INVALID_PARAMS, f"Invalid resource URI {uri}: {e}") from e
            value = await self._invoke_or_internal(entry.fn, args, kwargs, f"resource {uri}")
            return {"contents": entry.contents(uri, value)}
        raise RpcError(RESOURCE_NOT_FOUND, f"Resource not found: {uri}", {"uri": uri})

    async def subscribe(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        self.subscriptions.add(uri_param(params, "resources/subscribe"))
        return {}

    async def unsubscribe(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        self.subscriptions.discard(uri_param(params, "resources/unsubscribe"))
        return {}

    def _resource_updated(self, uri: str) -> None:
        # Only what someone subscribed to: the daemon forwards to the sessions that did.
        if uri in self.subscriptions:
            self.session.notify("notifications/resources/updated", {"uri": uri})

    # -- completion ---------------------------------------------------------

    async def complete(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        """Values for a prompt or resource-template argument whose type has a fixed set of
        choices (Literal, Enum, bool), filtered by what the user typed so far."""
        ref = params.get("ref")
        argument = params.get("argument")
        if not isinstance(ref, dict) or not isinstance(argument, dict):
            raise RpcError(INVALID_PARAMS, 'completion/complete needs "ref" and "argument" objects')
        if ref.get("type") == "ref/prompt":
            entry = self.registry.prompts.get(str(ref.get("name")))
        elif ref.get("type") == "ref/resource":
            entry = self.registry.resources.get(str(ref.get("uri")))
        else:
            raise RpcError(INVALID_PARAMS, f"completion/complete: unknown ref type {ref.get('type')!r}")
        if entry is None:
            raise RpcError(INVALID_PARAMS, f"completion/complete: nothing is served at {ref}")
        # Here, not at the top: only prompts and resource templates complete.
        from .completion import choices

        typed = str(argument.get("value", ""))
        param = next((p for p in entry.signature.params if p.name == argument.get("name")), None)
        values = [v for v in choices(param.hint) if v.startswith(typed)] if param else []
        return {"completion": {"values": values[:100], "total": len(values), "hasMore": len(values) > 100}}
