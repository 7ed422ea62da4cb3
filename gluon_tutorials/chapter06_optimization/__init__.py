"""Book chapter 7, 优化算法 (optimisation algorithms), from release 0.6."""
