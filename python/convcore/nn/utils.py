"""torch.nn.utils' gradient clipping, under the name PyTorch users look for.

The implementations live in convcore.optim.clip_grad (one C++ pass each).
"""
from ..optim.clip_grad import clip_grad_norm_, clip_grad_value_, get_total_norm

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm"]
