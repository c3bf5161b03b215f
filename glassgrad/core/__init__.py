"""glassgrad.core: Tensor, the primitive registry, the two sweeps and the transforms."""
