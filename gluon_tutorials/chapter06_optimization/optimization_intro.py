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
# # 优化算法概述 (Optimization: an overview)
#
# Book chapter 7, first section (release 0.6). Training a model means minimising a loss,
# the optimisation problem's objective. Two things make that hard even for a smooth
# function: local minima, where the gradient vanishes short of the best value, and saddle
# points, where it vanishes without any minimum at all. The three figures below show one of
# each; the rest of the chapter is about the algorithms that cope with them.

# %% tags=["parameters"]
seed = 1                            # seeds random, numpy and mx.random (nothing here is random)
out = "out/optimization_intro"      # folder for the figures this section writes

# %%
from gluon_tutorials import plotting, runtime

runtime.setup(None, seed)

# %% [markdown]
# ## Local and global minima
# `f(x) = x cos(pi x)` on [-1, 2] has a local minimum near x = -0.3 and its global minimum
# near x = 1.1. Gradient descent started left of 0.3 or so ends in the local one.

# %%
import numpy as np


def f(x):
    return x * np.cos(np.pi * x)


x = np.arange(-1.0, 2.0, 0.1)
fig, axes = plotting.subplots(1, 1, figsize=(4.2, 3))
ax = axes[0, 0]
ax.annotate('local minimum', xy=(-0.3, -0.2), xytext=(-0.8, -1.0),
            arrowprops=dict(facecolor='black', shrink=0.05))
ax.annotate('global minimum', xy=(1.1, -0.9), xytext=(0.7, 0.1),
            arrowprops=dict(facecolor='black', shrink=0.05))
ax.plot(x, f(x))
ax.set_xlabel('x')
ax.set_ylabel('f(x)')
plotting.save(fig, f"{out}/minima.png")

# %% [markdown]
# Where exactly? On a fine grid the two minima are where `f` is lower than at both
# neighbours; the lower of them is the global minimum.

# %%
grid = np.linspace(-1.0, 2.0, 30001)
values = f(grid)
inner = np.flatnonzero((values[1:-1] < values[:-2]) & (values[1:-1] < values[2:])) + 1
local_minima = [round(float(grid[i]), 4) for i in inner]
global_minimum = local_minima[int(np.argmin(values[inner]))]
print("local minima at x =", local_minima, "; the global one at x =", global_minimum)

# %% [markdown]
# ## Saddle points
# `f(x) = x^3` has zero slope at x = 0, yet no minimum there: the function keeps falling
# to the left.

# %%
x = np.arange(-2.0, 2.0, 0.1)
fig, axes = plotting.subplots(1, 1, figsize=(4.2, 3))
ax = axes[0, 0]
ax.annotate('saddle point', xy=(0, -0.2), xytext=(-0.4, -5.0),
            arrowprops=dict(facecolor='black', shrink=0.05))
ax.plot(x, x ** 3)
ax.set_xlabel('x')
ax.set_ylabel('f(x)')
plotting.save(fig, f"{out}/saddle_1d.png")

# %% [markdown]
# In two dimensions, `f(x, y) = x^2 - y^2` curves up along x and down along y: the red
# point at the origin is a minimum in one direction and a maximum in the other, like the
# seat of a saddle. In the many dimensions of a deep network such points are far more
# common than local minima.

# %%
from mpl_toolkits.mplot3d import Axes3D  # noqa: F401  (registers the 3d projection)
import matplotlib.pyplot as plt

fig = plt.figure(figsize=(4.6, 3.6))
ax = fig.add_subplot(111, projection='3d')
x, y = np.mgrid[-1:1:31j, -1:1:31j]
z = x ** 2 - y ** 2
ax.plot_surface(x, y, z, rstride=1, cstride=1, cmap="Greens_r")
ax.plot([0], [0], [0], 'ro')
ax.view_init(azim=-60, elev=20)
ax.set_xticks([-1, -0.5, 0, 0.5, 1])
ax.set_yticks([-1, -0.5, 0, 0.5, 1])
ax.set_zticks([-1, -0.5, 0, 0.5, 1])
ax.set_xlabel('x')
ax.set_ylabel('y')
plotting.save(fig, f"{out}/saddle_2d.png")

# %% [markdown]
# Exercise (the book's): which other difficulties of optimisation in deep learning can you
# think of? Ill-conditioning, the subject of the momentum section, is one.
