# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: -jupytext.text_representation
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 使用 autograd 来自动求导 (autograd)
#
# Book section 2.3. MXNet's `autograd` records the operations on arrays that asked for a
# gradient and differentiates them on `backward()`, even through Python loops and branches.
# At the end, a head gradient passed to `backward()` plays the outer factor of the chain rule.

# %% tags=["parameters"]
seed = 1  # seeds random, numpy and mx.random (the random input of the control-flow example)

# %%
from gluon_tutorials import runtime

runtime.setup(seed=seed)

# %%
import mxnet.ndarray as nd
import mxnet.autograd as ag

# %% [markdown]
# ## Attaching a gradient
# `attach_grad()` gives `x` room for its gradient, and `record()` tells MXNet to remember
# the computation. Here `z = 2 * x * x`, so `dz/dx = 4 * x`: the comparison prints all ones.

# %%
x = nd.array([[1, 2], [3, 4]])

# %%
x.attach_grad()

# %%
with ag.record():
    y = x * 2
    z = y * x

# %% [markdown]
# `z` is not a scalar: `z.backward()` differentiates `nd.sum(z)`.

# %%
z.backward()

# %%
print(x.grad == 4 * x)

# %% [markdown]
# ## Differentiating through control flow
# How often `f`'s loop runs and which branch it takes depend on the input, yet the result
# is always `k * a` for some number `k`, so the gradient is `k = c / a`: again all ones.

# %%
def f(a):
    b = a * 2
    while nd.norm(b).asscalar() < 1000:
        b = b * 2
    if nd.sum(b).asscalar() > 0:
        c = b
    else:
        c = 100 * b
    return c


# %%
a = nd.random_normal(shape=3)
a.attach_grad()
with ag.record():
    c = f(a)
c.backward()

# %%
print(a.grad == c / a)

# %% [markdown]
# ## Head gradients and the chain rule
# When `z` is part of a larger function, `backward(head_gradient)` multiplies by `dz/dy`
# given from outside: `x.grad` becomes `head_gradient * 4 * x` (40, 8, 1.2, 0.16). The
# default head is `nd.ones_like(z)`. The book marks this part as optional reading.

# %%
with ag.record():
    y = x * 2
    z = y * x

head_gradient = nd.array([[10, 1.], [.1, .01]])
z.backward(head_gradient)
print(x.grad)
