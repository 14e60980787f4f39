"""Model clients behind one interface: `model.complete(messages) -> Completion`.

    from tandem.models import OpenAIModel, AnthropicModel, FakeModel, HostModel

    model = OpenAIModel("gpt-4o-mini")            # key from $OPENAI_API_KEY
    answer = model.complete("Name a colour.")     # .text, .usage, .latency_ms
    summary = model.complete(prompt, into=Summary).value
    for piece in model.stream("Tell a story."):   # text as it arrives
        print(piece, end="")

In a tool, `ctx.model` is the model to use: the host's (MCP sampling) in a
worker unless $TANDEM_MODEL names one, and in a notebook whatever
`tandem.models.use(...)` set, else $TANDEM_MODEL, else an echoing fake.
"""

from .anthropic import AnthropicModel
from .base import Completion, Message, Model, ModelError, Request, Stream, Usage
from .config import default_model, from_env, from_spec, use
from .fake import FakeModel
from .host import HostModel
from .http import RetryPolicy
from .openai import OpenAIModel

__all__ = [
    "AnthropicModel",
    "Completion",
    "FakeModel",
    "HostModel",
    "Message",
    "Model",
    "ModelError",
    "OpenAIModel",
    "Request",
    "RetryPolicy",
    "Stream",
    "Usage",
    "default_model",
    "from_env",
    "from_spec",
    "use",
]
