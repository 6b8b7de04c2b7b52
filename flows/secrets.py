"""The OpenRouter API key: the `OPENROUTER_API_KEY` environment variable, else the Prefect Secret block `openrouter-api-key`."""

from __future__ import annotations

import os

API_KEY_ENV = "OPENROUTER_API_KEY"
SECRET_BLOCK = "openrouter-api-key"


def use_secret_block_for_api_key() -> None:
    """When the variable is unset, load the key from the Secret block (if one exists) into this process's environment.

    The key is never logged or returned; a missing block leaves the variable unset, and the client then
    fails with its own clear 'OPENROUTER_API_KEY is missing' message.
    """
    if os.environ.get(API_KEY_ENV):
        return
    from prefect.blocks.system import Secret

    try:
        value = Secret.load(SECRET_BLOCK).get()
    except ValueError:  # no block of that name
        return
    if value:
        os.environ[API_KEY_ENV] = str(value)
