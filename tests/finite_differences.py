"""Central finite differences in float64, the gradient oracle the op tests share."""
import numpy as np


def numeric_grads(f, arrays, weight, eps=1e-6):
    """Gradients of sum(f(*arrays) * weight) with respect to each array, by central differences."""
    xs = [np.array(a, dtype=np.float64) for a in arrays]
    grads = []
    for x in xs:
        g = np.zeros_like(x)
        flat, gf = x.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = np.sum(f(*xs) * weight)
            flat[i] = old - eps
            down = np.sum(f(*xs) * weight)
            flat[i] = old
            gf[i] = (up - down) / (2 * eps)
        grads.append(g)
    return grads
