"""Before openbook writes in someone's name: can this clone sign as it is set to?"""

from __future__ import annotations

from openbook.errors import OpenbookError
from openbook.trust.signing import signing_problem
from openbook.vault import Vault


def require_can_sign(vault: Vault) -> None:
    """When this clone signs its commits but the key cannot be used (no agent, a passphrase
    and no terminal, a key that is gone), say so in one sentence before anything is written."""
    problem = signing_problem(vault.root)
    if problem:
        raise OpenbookError(problem)
