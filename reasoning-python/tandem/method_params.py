"""The parameters every method reads the same way, checked: a bad one is -32602 naming it."""

from __future__ import annotations

from typing import Any

from .wire import INVALID_PARAMS, RpcError


def uri_param(params: dict[str, Any], method: str) -> str:
    uri = params.get("uri")
    if not isinstance(uri, str):
        raise RpcError(INVALID_PARAMS, f'{method} needs "uri" (a string)')
    return uri


def name_param(params: dict[str, Any], method: str) -> str:
    name = params.get("name")
    if not isinstance(name, str):
        raise RpcError(INVALID_PARAMS, f'{method} needs "name" (a string)')
    return name


def arguments_param(params: dict[str, Any], method: str) -> dict[str, Any]:
    arguments = params.get("arguments")
    if arguments is None:
        return {}
    if not isinstance(arguments, dict):
        raise RpcError(INVALID_PARAMS, f'{method}: "arguments" must be an object')
    return arguments


def named_entry(
    catalog: Any, params: dict[str, Any], method: str
) -> tuple[str, Any, dict[str, Any]]:
    """The name, the entry of `catalog` (a `registry.Catalog`) it names, and the arguments of a
    tools/call or prompts/get; -32602 for a name nothing is registered under."""
    name = name_param(params, method)
    entry = catalog.get(name)
    if entry is None:
        raise RpcError(INVALID_PARAMS, f"Unknown {catalog.kind}: {name}")
    return name, entry, arguments_param(params, method)
