"""convcore.nn.functional: the same functions as convcore.functional, so that
`import convcore.nn.functional as F` works as in PyTorch."""
from ..functional import *  # noqa: F401,F403
from ..functional import __all__  # noqa: F401
