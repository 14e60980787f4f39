"""The parameters of a decorated function: what callers must send, what tandem
injects, and how JSON arguments become a Python call."""

from __future__ import annotations

import functools
import inspect
import typing
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .arguments import SCALARS, InvalidArgument, coerce, describe
from .context import Context
from .docstrings import Docstring, parse_docstring
from .headers import KEY, header_of
from .schema import NO_DEFAULT, JsonSchema, jsonable_default, schema_for, strip_annotated


@dataclass(frozen=True)
class Param:
    name: str
    hint: Any
    required: bool
    default: Any
    description: str | None
    positional_only: bool = False


@dataclass(frozen=True)
class Signature:
    """A function's callable surface, resolved once at decoration."""

    params: list[Param]
    context_param: str | None
    return_hint: Any
    doc: Docstring

    def input_schema(self) -> JsonSchema:
        properties: dict[str, JsonSchema] = {}
        for p in self.params:
            prop = schema_for(p.hint)
            header = header_of(p.hint)
            if header is not None:
                prop = {**prop, KEY: header}
            if p.description and "description" not in prop:
                prop = {**prop, "description": p.description}
            default = jsonable_default(p.default) if not p.required else NO_DEFAULT
            if default is not NO_DEFAULT:
                prop = {**prop, "default": default}
            properties[p.name] = prop
        schema: JsonSchema = {"type": "object"}
        if properties:
            schema["properties"] = properties
        required = [p.name for p in self.params if p.required]
        if required:
            schema["required"] = required
        # Unknown arguments are rejected on call, so the schema says so.
        schema["additionalProperties"] = False
        return schema

    @functools.cached_property
    def names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.params)

    @functools.cached_property
    def _as_sent(self) -> tuple[frozenset[str], dict[str, Any]] | None:
        """(required names, hint by name) when arguments of exactly their hinted JSON
        scalar types can be passed on as the caller sent them; None when they never can
        (a Context to add, a positional-only parameter, a hint that converts)."""
        if self.context_param is not None or any(
            p.positional_only or p.hint not in SCALARS for p in self.params
        ):
            return None
        return frozenset(p.name for p in self.params if p.required), {
            p.name: p.hint for p in self.params
        }

    def bind(
        self, arguments: dict[str, Any], context: Context | None
    ) -> tuple[Sequence[Any], dict[str, Any]]:
        """Positional and keyword arguments for the call, or InvalidArgument."""
        known = self.names
        as_sent = self._as_sent
        if as_sent is not None and known.issuperset(arguments) and as_sent[0].issubset(arguments):
            hints = as_sent[1]
            for name, value in arguments.items():
                if type(value) is not hints[name]:
                    break
            else:
                # Nothing to convert, add or reorder: the caller's own dict, not a copy
                # (a call with **kwargs copies it anyway, so the callee cannot change it).
                return (), arguments
        if not known.issuperset(arguments):
            unknown = sorted(k for k in arguments if k not in known)
            expected = ", ".join(p.name for p in self.params) or "none"
            raise InvalidArgument(
                f"unknown argument '{unknown[0]}' (parameters: {expected})"
            )
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for p in self.params:
            if p.name in arguments:
                value = arguments[p.name]
                # coerce's own first test, here to spare the common argument a call.
                if not (type(value) is p.hint and p.hint in SCALARS):
                    value = coerce(value, p.hint, p.name)
            elif p.required:
                raise InvalidArgument(
                    f"missing required argument '{p.name}' ({describe(p.hint)})"
                )
            elif p.positional_only:
                # Keeps later positional-only arguments in their places.
                value = p.default
            else:
                continue
            if p.positional_only:
                args.append(value)
            else:
                kwargs[p.name] = value
        if self.context_param is not None:
            kwargs[self.context_param] = context
        return args, kwargs


def read_signature(fn: Callable[..., Any]) -> Signature:
    """Resolve hints and docstring of `fn`; TypeError if tandem cannot serve it."""
    where = f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', fn)!s}"
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except NameError as e:
        raise TypeError(
            f"{where}: cannot resolve a type hint ({e}); define the type before the "
            "decorated function"
        ) from e
    doc = parse_docstring(inspect.getdoc(fn))
    params: list[Param] = []
    context_param = None
    for p in inspect.signature(fn).parameters.values():
        hint = hints.get(p.name, Any)
        if _is_context(hint):
            context_param = p.name
            continue
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise TypeError(f"{where}: *args and **kwargs cannot be described as a tool input")
        required = p.default is inspect.Parameter.empty
        _, annotated_description = strip_annotated(hint)
        # An unsupported hint is a decoration-time error, not a surprise on call.
        schema_for(hint)
        params.append(
            Param(
                name=p.name,
                hint=hint,
                required=required,
                default=NO_DEFAULT if required else p.default,
                description=annotated_description or doc.params.get(p.name),
                positional_only=p.kind is p.POSITIONAL_ONLY,
            )
        )
    return Signature(params, context_param, hints.get("return", Any), doc)


def _is_context(hint: Any) -> bool:
    hint, _ = strip_annotated(hint)
    if hint is Context:
        return True
    return Context in typing.get_args(hint) and all(
        a in (Context, type(None)) for a in typing.get_args(hint)
    )
