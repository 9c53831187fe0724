"""What a list of providers shows of each one, read from its configuration alone.

The page's provider list needs a name, a label, a default model and whether the model
is the built-in offline one. A descriptor holds just that: making one decrypts no key and
resolves no host, so listing every provider a user may use costs no more than reading
the settings and the stored rows. Only a run or a model listing builds a client
(``build.build_provider``), and the client it builds says the same as its descriptor.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The model a provider's runs start with when its configuration names none.
DEFAULT_MODELS = {"offline": "offline-1", "openai": "gpt-4o-mini"}
# The model the chat page's moderation switch names when a network provider's configuration
# names none: OpenAI's own; a gateway (LiteLLM) routes by model, so it must be named.
DEFAULT_MODERATION_MODEL = "omni-moderation-latest"


@dataclass(frozen=True, slots=True)
class ProviderDescriptor:
    """A provider as a list shows it; ``kind`` is "offline" or "openai"."""

    name: str
    label: str
    default_model: str
    kind: str

    @property
    def offline(self) -> bool:
        """The built-in model: replies made on this server, no key, no network."""
        return self.kind == "offline"


def describe(name: str, config: Mapping[str, Any]) -> ProviderDescriptor:
    """The descriptor of a ``PLAYGROUND_PROVIDERS``-style entry (no secret is read)."""
    kind = config["kind"]
    return ProviderDescriptor(
        name=name,
        label=config.get("label") or name,
        default_model=config.get("default_model") or DEFAULT_MODELS[kind],
        kind=kind,
    )
