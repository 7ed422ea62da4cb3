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
# # 使用 NDArray 来处理数据 (NDArray)
#
# Book section 2.2. `NDArray` is MXNet's n-dimensional array, close to NumPy's: we create
# arrays, compute with them, let shapes broadcast, convert to and from NumPy, and see which
# updates write into an existing array instead of allocating a new one.

# %% tags=["parameters"]
seed = 1  # seeds random, numpy and mx.random (the random array below)

# %%
from gluon_tutorials import runtime

runtime.setup(seed=seed)

# %% [markdown]
# ## Creating arrays

# %%
from mxnet import ndarray as nd

# %%
print(nd.zeros((3, 4)))

# %%
x = nd.ones((3, 4))
print(x)

# %%
print(nd.array([[1, 2], [2, 3]]))

# %% [markdown]
# Every element drawn from a normal distribution with mean 0 and standard deviation 1, the
# usual way to start a model's parameters. The values depend on `seed`; they are not the
# book's, whose MXNet drew its random numbers differently.

# %%
y = nd.random_normal(0, 1, shape=(3, 4))
print(y)

# %%
print(y.shape)

# %% [markdown]
# The size is the product of the shape's entries.

# %%
print(y.size)

# %% [markdown]
# ## Operators
# Element-wise sum, product and exponential, then a matrix product with a transpose.

# %%
print(x + y)

# %%
print(x * y)

# %%
print(nd.exp(y))

# %%
print(nd.dot(x, y.T))

# %% [markdown]
# ## Broadcasting
# `a` is 3x1 and `b` is 1x2: for `a + b` both are repeated along their length-1 axis, and
# the sum is 3x2.

# %%
a = nd.arange(3).reshape((3, 1))
b = nd.arange(2).reshape((1, 2))
print('a:', a)
print('b:', b)
print('a+b:', a + b)

# %% [markdown]
# ## To and from NumPy

# %%
import numpy as np

x = np.ones((2, 3))
y = nd.array(x)
# the book's y.astype(np.float32) gives an NDArray in MXNet 1.9.1; the numpy array the
# book printed is what asnumpy() returns
z = y.asnumpy()
print([z, y])

# %% [markdown]
# ## In-place updates
# `id()` tells whether a name still refers to the same array. `y = y + x` allocates a new
# one (False); writing through `[:]`, an `out=` argument or `+=` reuses the old one (True).

# %%
x = nd.ones((3, 4))
y = nd.ones((3, 4))

before = id(y)
y = y + x
print(id(y) == before)

# %%
z = nd.zeros_like(x)
before = id(z)
z[:] = x + y
print(id(z) == before)

# %% [markdown]
# `z[:] = x + y` still builds `x + y` in a temporary array first; the operator's `out=`
# argument writes the result straight into `z`.

# %%
nd.elemwise_add(x, y, out=z)
print(id(z) == before)

# %%
before = id(x)
x += y
print(id(x) == before)

# %% [markdown]
# ## Slicing
# Not in the 0.3 text (later editions add it): a slice reads rows, and assigning to an index
# or a slice writes into the array.

# %%
x = nd.arange(12).reshape((3, 4))
print(x[1:3])

# %%
x[1, 2] = 9.0
print(x)

# %%
x[1:2, 1:3] = 4.0
print(x)
